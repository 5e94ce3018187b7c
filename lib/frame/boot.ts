/**
 * The script of a session's frame: a hidden, sandboxed iframe without `allow-same-origin`
 * (an opaque origin) whose only job is to start the session's worker and own its shared
 * memory. It runs in the frame, not on the page: the page embeds this function's source
 * text (`Function.prototype.toString`) in the frame's `srcdoc`, and the build puts it in
 * `dist/sandcell-frame.html` for pages that serve the frame document themselves (the
 * `frameURL` option) — so it must stay self-contained: no imports, no references to
 * anything outside its own body.
 *
 *   page ── FrameInit (window.postMessage) ──▶ frame: makes the SharedArrayBuffers,
 *                                                     new Worker(blob: of workerSource),
 *                                                     posts InitMessage (port, buffers, config)
 *   page ◀── FrameReport / FrameCommand ──▶ frame (control port): booted, worker errors;
 *                                                     stop a cell, answer a synchronous input()
 *   page ◀──────────── session port (RPC, output, requests) ────────────▶ worker
 *
 * Why the frame owns the buffers: a SharedArrayBuffer made by the page cannot be posted into
 * an opaque-origin frame (seen in Chromium 156: `messageerror`), but one the frame makes (with
 * `allow="cross-origin-isolated"` on the iframe) can be shared with its worker. Why a classic
 * worker: a module worker from a blob: URL never starts in a `sandbox="allow-scripts"` frame
 * (Chromium 156), a classic one does. The worker inherits the frame's Content-Security-Policy.
 */
import type { FrameCommand, FrameInit, FrameReport, InitMessage } from '../protocol.ts';

/** Runs in the frame (see the module comment): waits for the page's one init message. */
export function bootSessionFrame(): void {
  const CONTROL_SLOTS = 4;
  const INPUT_BUFFER_BYTES = 1 << 20;
  const SLOT_INPUT_STATE = 1;
  const SLOT_INPUT_LENGTH = 2;
  const SLOT_INTERRUPT = 0;
  const SLOT_SIGNAL = 3;
  const SIGINT = 2;
  const INPUT_WAITING = 1;
  const INPUT_ANSWERED = 2;
  const INPUT_FAILED = 3;
  const INPUT_STOPPING = 4;

  const onInit = (event: MessageEvent) => {
    const init = event.data as FrameInit | null;
    if (event.source !== window.parent || !init || init.type !== 'sandcell:frame-init') return;
    window.removeEventListener('message', onInit);
    const { control, port, config, workerSource, shared, csp } = init;
    // In force from now on, and inherited by the worker made below (seen in Chromium 156).
    const policy = document.createElement('meta');
    policy.httpEquiv = 'Content-Security-Policy';
    policy.content = csp;
    document.head.appendChild(policy);
    const report = (message: FrameReport) => control.postMessage(message);
    const isolated = shared && typeof SharedArrayBuffer === 'function' && self.crossOriginIsolated === true;
    const flags = isolated ? new Int32Array(new SharedArrayBuffer(CONTROL_SLOTS * 4)) : undefined;
    const inputBuffer = isolated ? new SharedArrayBuffer(INPUT_BUFFER_BYTES) : undefined;
    const encoder = new TextEncoder();

    control.onmessage = (message: MessageEvent<FrameCommand>) => {
      const command = message.data;
      if (!flags || !command) return;
      if (command.type === 'stop') {
        Atomics.store(flags, SLOT_INTERRUPT, command.cellId);
        // Pyodide's interrupt buffer (Python sessions; see ControlSlot.Signal), which also wakes time.sleep.
        Atomics.store(flags, SLOT_SIGNAL, SIGINT);
        Atomics.notify(flags, SLOT_SIGNAL);
        // Wakes a synchronous input() that waits on its slot (or is about to: the changed value
        // ends a wait that starts later); it then sees the stop.
        Atomics.compareExchange(flags, SLOT_INPUT_STATE, INPUT_WAITING, INPUT_STOPPING);
        Atomics.notify(flags, SLOT_INPUT_STATE);
      } else if (command.type === 'input-answer' && inputBuffer) {
        const bytes = new Uint8Array(inputBuffer);
        const encoded = encoder.encode(String(command.text));
        const length = Math.min(encoded.byteLength, bytes.byteLength);
        // The worker reads exactly InputLength bytes; a longer answer is cut rather than overflowing.
        bytes.set(encoded.subarray(0, length));
        Atomics.store(flags, SLOT_INPUT_LENGTH, length);
        Atomics.store(flags, SLOT_INPUT_STATE, command.ok ? INPUT_ANSWERED : INPUT_FAILED);
        Atomics.notify(flags, SLOT_INPUT_STATE);
      }
    };

    // The usual reason a worker does not start here is a Content-Security-Policy without blob:
    // workers — the page's, which a srcdoc frame inherits. The browser says which directive.
    let blockedBy = '';
    document.addEventListener('securitypolicyviolation', (event) => {
      if (event.blockedURI.startsWith('blob') && !blockedBy) {
        blockedBy = `the page's Content-Security-Policy ("${event.originalPolicy}") does not allow the worker's blob: URL (${event.effectiveDirective}) — add blob: to worker-src (or to script-src when the policy has no worker-src), or use policy 'unrestricted'`;
      }
    });
    let worker: Worker;
    try {
      const url = URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' }));
      worker = new Worker(url, { name: `sandcell:${config.sessionId}` });
    } catch (error) {
      report({ type: 'worker-error', message: error instanceof Error ? error.message : String(error) });
      return;
    }
    worker.addEventListener('error', (error) => {
      error.preventDefault();
      report({ type: 'worker-error', message: blockedBy || error.message || 'the worker script failed' });
    });
    const message: InitMessage = {
      type: 'sandcell:init',
      port,
      control: flags?.buffer as SharedArrayBuffer | undefined,
      inputBuffer,
      config,
    };
    worker.postMessage(message, [port]);
    report({ type: 'booted' });
  };
  window.addEventListener('message', onInit);
}
