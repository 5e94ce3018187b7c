/**
 * What every session worker (JavaScript or Python) does as it starts, before any cell runs:
 * recognise the page's one init message, make `close()` announce itself, give cells the
 * `PolicyError` class, and hold the Web Lock that tells a page-hosted session of its death.
 */
import { PolicyError } from '../errors.ts';
import type { InitMessage } from '../protocol.ts';

export function isInitMessage(data: unknown): data is InitMessage {
  const m = data as InitMessage | undefined;
  return !!m && m.type === 'sandcell:init' && m.port instanceof MessagePort && typeof m.config === 'object';
}

/**
 * Runs the worker's start-up after the init message. A throw there reaches the page as the
 * 'closing' event (createSession() rejects at once, with the cause) and ends the worker.
 * Without this the throw went nowhere: once the runtime is built, its `error` listener keeps
 * uncaught errors from the page (they are a cell's, for stderr), and the page waited for an
 * answer that never came (Firefox 153, a storage getter that threw in applyPolicy).
 * @param announce tells the page the worker is about to end (the 'closing' event).
 * @param closeWorker the original close, bound before any cell ran.
 */
export function startOrClose(start: () => void, announce: (reason: string) => void, closeWorker: () => void): void {
  try {
    start();
  } catch (error) {
    announce(`its start-up threw ${describeThrown(error)}`);
    closeWorker();
  }
}

function describeThrown(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  try {
    return String(error);
  } catch {
    return 'a value that cannot be shown';
  }
}

/**
 * `close()` in a cell ends the worker as it should, but says so first: the page restarts the
 * session at once instead of waiting for a reply that will never come. Replaced wherever the
 * global scope's prototype chain defines it, so the original is out of the cell's reach.
 * @param announce tells the page the worker is about to end (the 'closing' event).
 * @param closeWorker the original close, bound before any cell ran.
 */
export function interceptClose(scope: object, announce: (reason: string) => void, closeWorker: () => void): void {
  const close = function close(): void {
    announce('the cell closed its worker (close())');
    closeWorker();
  };
  for (let holder: object | null = scope; holder; holder = Object.getPrototypeOf(holder)) {
    if (Object.hasOwn(holder, 'close')) {
      Object.defineProperty(holder, 'close', { value: close, writable: true, configurable: true, enumerable: true });
    }
  }
}

/** The class cells see thrown by policy stand-ins, as a read-only global. */
export function exposePolicyError(scope: object): void {
  Object.defineProperty(scope, 'PolicyError', {
    value: PolicyError,
    writable: false,
    configurable: false,
    enumerable: false,
  });
}

/**
 * Holds `lifeLock` until this worker dies, so the host learns of a death however it happens
 * (opaque-origin frames have no Web Locks: then it resolves at once and the frame host watches).
 */
export function holdLifeLock(
  scope: { navigator: { locks?: LockManager } },
  lifeLock: string | undefined,
): Promise<void> {
  return new Promise<void>((held) => {
    const locks = scope.navigator.locks;
    if (!lifeLock || !locks) return held();
    locks
      .request(lifeLock, () => {
        held();
        return new Promise<never>(() => {});
      })
      .catch(() => held());
  });
}
