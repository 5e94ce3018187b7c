/**
 * A worker on the page's own origin, for sessions whose policy grants the page's storage
 * (`unrestricted`, `storage: true`). The page owns its shared memory, and watches its death
 * through a Web Lock the worker holds for its whole life.
 */
import { CONTROL_SLOTS, ControlSlot, InputState, SIGINT } from '../../protocol.ts';
import type { WorkerHost, WorkerHostOptions } from './worker-host.ts';

const INPUT_BUFFER_BYTES = 1 << 20;

/** One blob: URL per source text, for every page-hosted worker of this page. */
const urls = new Map<string, string>();

function blobURL(source: string): string {
  let url = urls.get(source);
  if (!url) {
    url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    urls.set(source, url);
  }
  return url;
}

export function startPageHost(options: WorkerHostOptions): WorkerHost {
  const control = options.isolated ? new Int32Array(new SharedArrayBuffer(CONTROL_SLOTS * 4)) : undefined;
  const inputBuffer = options.isolated ? new SharedArrayBuffer(INPUT_BUFFER_BYTES) : undefined;
  const lifeWatch = new AbortController();
  const lifeLock =
    typeof navigator !== 'undefined' && navigator.locks ? `sandcell:alive:${crypto.randomUUID()}` : undefined;
  const encoder = new TextEncoder();
  let worker: Worker | undefined;
  let disposed = false;

  // The usual reason the worker does not start: the page's Content-Security-Policy has no
  // blob: workers. The browser reports which directive (before the worker's error event).
  let blockedBy = '';
  const onViolation = (event: SecurityPolicyViolationEvent) => {
    if (event.blockedURI.startsWith('blob') && !blockedBy) {
      blockedBy = `the page's Content-Security-Policy ("${event.originalPolicy}") does not allow the worker's blob: URL (${event.effectiveDirective}) — add blob: to worker-src (or to script-src when the policy has no worker-src)`;
    }
  };
  document.addEventListener('securitypolicyviolation', onViolation);
  const stopWatchingPolicy = () => document.removeEventListener('securitypolicyviolation', onViolation);
  const host: WorkerHost = {
    kind: 'page',
    requestStop(cellId) {
      if (!control) return false;
      Atomics.store(control, ControlSlot.Interrupt, cellId);
      Atomics.store(control, ControlSlot.Signal, SIGINT);
      Atomics.notify(control, ControlSlot.Signal);
      Atomics.compareExchange(control, ControlSlot.InputState, InputState.Waiting, InputState.Stopping);
      Atomics.notify(control, ControlSlot.InputState);
      return true;
    },
    markDeadline(cellId) {
      if (!control) return;
      // Loop checks only load the flag: past the deadline it says `-cellId` (a stop already asked for stays).
      const seen = Atomics.load(control, ControlSlot.Interrupt);
      if (seen !== cellId) Atomics.compareExchange(control, ControlSlot.Interrupt, seen, -cellId);
    },
    answerSyncInput(ok, text) {
      if (!control || !inputBuffer || disposed) return;
      const bytes = new Uint8Array(inputBuffer);
      const encoded = encoder.encode(text);
      const length = Math.min(encoded.byteLength, bytes.byteLength);
      // The worker reads exactly InputLength bytes; a longer answer is cut rather than overflowing.
      bytes.set(encoded.subarray(0, length));
      Atomics.store(control, ControlSlot.InputLength, length);
      Atomics.store(control, ControlSlot.InputState, ok ? InputState.Answered : InputState.Failed);
      Atomics.notify(control, ControlSlot.InputState);
    },
    started() {
      stopWatchingPolicy();
      if (!lifeLock || disposed) return;
      // The worker took this lock before answering; ours is granted only when it is released — at its death.
      navigator.locks
        .request(lifeLock, { signal: lifeWatch.signal }, () => {
          if (!disposed) options.onFailure('the worker stopped unexpectedly (out of memory, or it closed itself)');
        })
        .catch(() => {});
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      stopWatchingPolicy();
      lifeWatch.abort();
      worker?.terminate();
    },
  };

  try {
    worker = new Worker(blobURL(options.source), { name: options.name });
  } catch (error) {
    // Chromium throws here on a page opened from file:// (a worker needs an http(s) origin);
    // WebKit throws a SecurityError for a policy without blob: workers, and queues the
    // violation event that says which: the failure is reported after it (a task later).
    setTimeout(() => {
      stopWatchingPolicy();
      options.onFailure(blockedBy || (error instanceof Error ? error.message : String(error)));
    }, 0);
    return host;
  }
  worker.addEventListener('error', (event) => {
    event.preventDefault();
    stopWatchingPolicy();
    if (!disposed) options.onFailure(blockedBy || event.message || 'the worker script failed');
  });
  worker.postMessage(
    {
      type: 'sandcell:init',
      port: options.port,
      control: control?.buffer,
      inputBuffer,
      config: { ...options.config, lifeLock },
    },
    [options.port],
  );
  return host;
}
