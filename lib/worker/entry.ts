/**
 * Worker entry: waits for the one init message, saves what the engine needs before the
 * policy runs, builds the runtime and exposes it on the private port. After this,
 * `self.postMessage`/`self.onmessage` carry nothing the engine listens to.
 */

import type { WorkerMessage } from '../protocol.ts';
import { IntrinsicsGuard, installGuard, watchPins } from './lockdown/intrinsics.ts';
import { applyPolicy } from './lockdown/policy.ts';
import { fillSecureContextGaps } from './lockdown/secure-context.ts';
import { exposeRuntime } from './rpc.ts';
import { HOT_METHODS, SessionRuntime } from './runtime.ts';
import { exposePolicyError, holdLifeLock, interceptClose, isInitMessage, startOrClose } from './worker-start.ts';

const scope = self;
const closeWorker = scope.close.bind(scope);
/** Tells the page the worker is about to end itself (nothing else would: see the 'closing' event). */
let announceClosing = (_reason: string): void => {};
// A cell that pins a patched built-in (non-configurable, or a frozen prototype) leaves the
// engine's cold paths nothing safe to run on: the worker closes and the host restarts it
// from the last checkpoint, the same path as a crash. Nothing more is sent from this worker.
// The pin is caught at the very call that makes it (watchPins); the guard's diff is the backstop.
let guard: IntrinsicsGuard | undefined;
watchPins(
  scope,
  (target, key) => guard?.pins(target, key) ?? false,
  () => (guard as IntrinsicsGuard).fail(undefined),
);
// Recorded at module load, before any user code exists: the engine's view of the built-ins.
guard = new IntrinsicsGuard(scope, (what) => {
  announceClosing(`the cell made ${what} impossible to restore, so the engine stopped the worker`);
  closeWorker();
});
installGuard(guard);
const engineGuard = guard;

function onInit(event: MessageEvent): void {
  if (!isInitMessage(event.data)) return;
  scope.removeEventListener('message', onInit);
  const { port, control, inputBuffer, config } = event.data;
  // An own, bound copy: a cell that patches MessagePort.prototype cannot touch the engine's channel.
  const postMessage = MessagePort.prototype.postMessage.bind(port) as (message: WorkerMessage) => void;
  const post = (message: WorkerMessage) => {
    if (!engineGuard.broken) postMessage(message);
  };
  announceClosing = (reason) => postMessage({ type: 'closing', reason });
  startOrClose(
    () => {
      interceptClose(scope, announceClosing, closeWorker);
      exposePolicyError(scope);
      const alive = holdLifeLock(scope, config.lifeLock);
      const runtime = new SessionRuntime({
        scope,
        config,
        control: control ? new Int32Array(control) : undefined,
        inputBuffer,
        post,
        alive,
      });
      fillSecureContextGaps(scope);
      applyPolicy(scope, config.policy);
      exposeRuntime(runtime, port, post, engineGuard, {
        hot: HOT_METHODS,
        afterReply: runtime.afterReply,
        onEvent: runtime.onHostEvent,
      });
    },
    announceClosing,
    closeWorker,
  );
}

scope.addEventListener('message', onInit);
