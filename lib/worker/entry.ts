/**
 * Worker entry: waits for the one init message, saves what the engine needs before the
 * policy runs, builds the runtime and exposes it on the private port. After this,
 * `self.postMessage`/`self.onmessage` carry nothing the engine listens to.
 */

import { PolicyError } from '../errors.ts';
import type { InitMessage, WorkerMessage } from '../protocol.ts';
import { IntrinsicsGuard, installGuard, watchPins } from './lockdown/intrinsics.ts';
import { applyPolicy } from './lockdown/policy.ts';
import { fillSecureContextGaps } from './lockdown/secure-context.ts';
import { exposeRuntime } from './rpc.ts';
import { HOT_METHODS, SessionRuntime } from './runtime.ts';

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

/**
 * `close()` in a cell ends the worker as it should, but says so first: the page restarts the
 * session at once instead of waiting for a reply that will never come. Replaced wherever the
 * global scope's prototype chain defines it, so the original is out of the cell's reach.
 */
function interceptClose(): void {
  const close = function close(): void {
    announceClosing('the cell closed its worker (close())');
    closeWorker();
  };
  for (let holder: object | null = scope; holder; holder = Object.getPrototypeOf(holder)) {
    if (Object.hasOwn(holder, 'close')) {
      Object.defineProperty(holder, 'close', { value: close, writable: true, configurable: true, enumerable: true });
    }
  }
}

function isInit(data: unknown): data is InitMessage {
  const m = data as InitMessage | undefined;
  return !!m && m.type === 'sandcell:init' && m.port instanceof MessagePort && typeof m.config === 'object';
}

function onInit(event: MessageEvent): void {
  if (!isInit(event.data)) return;
  scope.removeEventListener('message', onInit);
  const { port, control, inputBuffer, config } = event.data;
  // An own, bound copy: a cell that patches MessagePort.prototype cannot touch the engine's channel.
  const postMessage = MessagePort.prototype.postMessage.bind(port) as (message: WorkerMessage) => void;
  const post = (message: WorkerMessage) => {
    if (!engineGuard.broken) postMessage(message);
  };
  announceClosing = (reason) => postMessage({ type: 'closing', reason });
  interceptClose();
  Object.defineProperty(scope, 'PolicyError', {
    value: PolicyError,
    writable: false,
    configurable: false,
    enumerable: false,
  });
  // Held until this worker dies, so the host learns of a death however it happens.
  const alive = new Promise<void>((held) => {
    const locks = scope.navigator.locks;
    if (!config.lifeLock || !locks) return held();
    locks
      .request(config.lifeLock, () => {
        held();
        return new Promise<never>(() => {});
      })
      .catch(() => held());
  });
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
}

scope.addEventListener('message', onInit);
