/**
 * Worker entry: waits for the one init message, saves what the engine needs before the
 * policy runs, builds the runtime and exposes it on the private port. After this,
 * `self.postMessage`/`self.onmessage` carry nothing the engine listens to.
 */
import type { InitMessage, WorkerEvent } from '../protocol.ts';
import { applyPristine, IntrinsicsGuard, installGuard } from './lockdown/intrinsics.ts';
import { applyPolicy, PolicyError } from './lockdown/policy.ts';
import { exposeRuntime } from './rpc.ts';
import { SessionRuntime } from './runtime.ts';

const scope = self as unknown as typeof globalThis;
const closeWorker = scope.close.bind(scope);
// Recorded at module load, before any user code exists: the engine's view of the built-ins.
// A cell that pins a patched built-in (non-configurable, or a frozen prototype) leaves the
// engine nothing safe to run on: the worker closes and the host restarts it from the last
// checkpoint, the same path as a crash. Nothing more is sent from this worker.
const guard = new IntrinsicsGuard(scope, () => closeWorker());
installGuard(guard);

function isInit(data: unknown): data is InitMessage {
  const m = data as InitMessage | undefined;
  return (
    !!m &&
    m.type === 'sandcell:init' &&
    m.rpcPort instanceof MessagePort &&
    m.eventPort instanceof MessagePort &&
    typeof m.config === 'object'
  );
}

function onInit(event: MessageEvent): void {
  if (!isInit(event.data)) return;
  scope.removeEventListener('message', onInit);
  const { rpcPort, eventPort, control, inputBuffer, config } = event.data;
  // Own, bound copies: a cell that patches MessagePort.prototype cannot touch the engine's channel.
  const postEvent = MessagePort.prototype.postMessage.bind(eventPort) as (message: WorkerEvent) => void;
  const post = (message: WorkerEvent) => {
    if (!guard.broken) postEvent(message);
  };
  const indexedDB = scope.indexedDB;
  const listeners: Array<(message: unknown) => void> = [];
  eventPort.addEventListener('message', (e: MessageEvent) =>
    guard.engine(() => {
      for (const listener of listeners) listener(e.data);
    }),
  );
  eventPort.start();
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
    onHostEvent: (listener) => listeners.push(listener),
    indexedDB,
    alive,
  });
  applyPolicy(scope, config.policy);
  wrapUserTimers();
  exposeRuntime(
    runtime,
    rpcPort,
    MessagePort.prototype.postMessage.bind(rpcPort) as (message: unknown) => void,
    guard,
    runtime.afterReply,
  );
}

/**
 * The runtime's timer globals, once more: the call itself is engine work (owner tracking on
 * the pristine built-ins) and the callback is user code (run with the user's own patches).
 */
function wrapUserTimers(): void {
  const timers = scope as unknown as Record<
    'setTimeout' | 'setInterval' | 'clearTimeout' | 'clearInterval',
    (...args: unknown[]) => unknown
  >;
  for (const name of ['setTimeout', 'setInterval'] as const) {
    const inner = timers[name];
    timers[name] = guard.wrapEngine(function schedule(this: unknown, handler: unknown, ...rest: unknown[]) {
      const callback =
        typeof handler === 'function'
          ? function userCallback(this: unknown, ...args: unknown[]) {
              return guard.user(() => applyPristine(handler, this, args));
            }
          : handler;
      return applyPristine(inner, scope, [callback, ...rest]);
    });
  }
  for (const name of ['clearTimeout', 'clearInterval'] as const) timers[name] = guard.wrapEngine(timers[name]);
}

scope.addEventListener('message', onInit);
