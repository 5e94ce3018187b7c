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
 *                                                     new Worker(blob: of workerSource)
 *                                                     (or data:, see below), once it ran:
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
 * Why a data: worker as a second route: WebKitGTK 2.50 refuses any blob: worker of an
 * opaque-origin frame on a COOP/COEP page (an error event with no message, the script never
 * runs), but starts a data: one — which inherits the frame's policy too (its requests are
 * blocked, counted by a test server) and has an opaque origin of its own. The frame tries blob:
 * first and hands the session's port over only once the bundle has run, so a refused blob:
 * worker leaves the port for the data: one.
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
  /** Posted by the blob: worker once its bundle has run (see LOADED_SIGNAL). */
  const LOADED = 'sandcell:worker-loaded';
  const LOADED_SIGNAL = `\n;self.postMessage(${JSON.stringify(LOADED)});\n`;
  /** The whole script of a data: worker: evaluates the bundle of the first source message, as a classic script would run. */
  const DATA_BOOTSTRAP = `self.addEventListener('message', function load(event) {
  var data = event.data;
  if (!data || data.type !== 'sandcell:worker-source') return;
  self.removeEventListener('message', load);
  (0, eval)(data.source + '\\n//# sourceURL=sandcell-worker.js');
});`;

  const onInit = (event: MessageEvent) => {
    const init = event.data as FrameInit | null;
    if (event.source !== window.parent || !init || init.type !== 'sandcell:frame-init') return;
    window.removeEventListener('message', onInit);
    const { control, commands, port, config, workerSource, shared, csp } = init;
    // In force from now on, and inherited by the worker made below (seen in Chromium 156).
    const policy = document.createElement('meta');
    policy.httpEquiv = 'Content-Security-Policy';
    policy.content = csp;
    document.head.appendChild(policy);
    const report = (message: FrameReport) => control.postMessage(message);
    const isolated = shared && typeof SharedArrayBuffer === 'function' && self.crossOriginIsolated === true;
    const flags = isolated ? new Int32Array(new SharedArrayBuffer(CONTROL_SLOTS * 4)) : undefined;
    const inputBuffer = isolated ? new SharedArrayBuffer(INPUT_BUFFER_BYTES) : undefined;
    // Applies one page command to the shared buffers. Self-contained: a relay worker runs its source text too.
    const apply = (
      flags: Int32Array,
      inputBuffer: SharedArrayBuffer | undefined,
      command: FrameCommand,
      slots: { interrupt: number; inputState: number; inputLength: number; signal: number },
      values: { sigint: number; waiting: number; answered: number; failed: number; stopping: number },
    ) => {
      const SLOT_INTERRUPT = slots.interrupt;
      const SLOT_INPUT_STATE = slots.inputState;
      const SLOT_INPUT_LENGTH = slots.inputLength;
      const SLOT_SIGNAL = slots.signal;
      const SIGINT = values.sigint;
      const INPUT_WAITING = values.waiting;
      const INPUT_ANSWERED = values.answered;
      const INPUT_FAILED = values.failed;
      const INPUT_STOPPING = values.stopping;
      if (command.type === 'stop') {
        Atomics.store(flags, SLOT_INTERRUPT, command.cellId);
        // Pyodide's interrupt buffer (Python sessions; see ControlSlot.Signal), which also wakes time.sleep.
        Atomics.store(flags, SLOT_SIGNAL, SIGINT);
        Atomics.notify(flags, SLOT_SIGNAL);
        // Wakes a synchronous input() that waits on its slot (or is about to: the changed value
        // ends a wait that starts later); it then sees the stop.
        Atomics.compareExchange(flags, SLOT_INPUT_STATE, INPUT_WAITING, INPUT_STOPPING);
        Atomics.notify(flags, SLOT_INPUT_STATE);
      } else if (command.type === 'deadline') {
        // Loop checks only load the flag: past the deadline it says `-cellId` (a stop already asked for stays).
        const seen = Atomics.load(flags, SLOT_INTERRUPT);
        if (seen !== command.cellId) Atomics.compareExchange(flags, SLOT_INTERRUPT, seen, -command.cellId);
      } else if (command.type === 'input-answer' && inputBuffer) {
        const bytes = new Uint8Array(inputBuffer);
        const encoded = new TextEncoder().encode(String(command.text));
        const length = Math.min(encoded.byteLength, bytes.byteLength);
        // The worker reads exactly InputLength bytes; a longer answer is cut rather than overflowing.
        bytes.set(encoded.subarray(0, length));
        Atomics.store(flags, SLOT_INPUT_LENGTH, length);
        Atomics.store(flags, SLOT_INPUT_STATE, command.ok ? INPUT_ANSWERED : INPUT_FAILED);
        Atomics.notify(flags, SLOT_INPUT_STATE);
      }
    };
    const slots = {
      interrupt: SLOT_INTERRUPT,
      inputState: SLOT_INPUT_STATE,
      inputLength: SLOT_INPUT_LENGTH,
      signal: SLOT_SIGNAL,
    };
    const values = {
      sigint: SIGINT,
      waiting: INPUT_WAITING,
      answered: INPUT_ANSWERED,
      failed: INPUT_FAILED,
      stopping: INPUT_STOPPING,
    };
    const serveHere = () => {
      commands.onmessage = (message: MessageEvent<FrameCommand>) => {
        if (flags && message.data) apply(flags, inputBuffer, message.data, slots, values);
      };
    };
    // The relay: commands go to a worker of their own (not the frame's main thread), which gets
    // the port once it runs; a relay that cannot start (blob: refused) leaves them to the frame.
    if (flags) {
      try {
        const relaySource = `const apply = ${apply.toString()};
self.onmessage = (e) => { const { flags, inputBuffer, commands, slots, values } = e.data;
  commands.onmessage = (m) => { if (m.data) apply(flags, inputBuffer, m.data, slots, values); }; };
self.postMessage('ready');`;
        const relay = new Worker(URL.createObjectURL(new Blob([relaySource], { type: 'text/javascript' })), {
          name: `sandcell:${config.sessionId}:stops`,
        });
        relay.onmessage = () => relay.postMessage({ flags, inputBuffer, commands, slots, values }, [commands]);
        relay.onerror = (event) => {
          event.preventDefault();
          serveHere();
        };
      } catch {
        serveHere();
      }
    }

    // The usual reason a worker does not start here is a Content-Security-Policy without blob:
    // workers — the page's, which a srcdoc frame inherits. The browser says which directive.
    let blockedBy = '';
    document.addEventListener('securitypolicyviolation', (event) => {
      if (/^(blob|data)/.test(event.blockedURI) && !blockedBy) {
        blockedBy = `the page's Content-Security-Policy ("${event.originalPolicy}") does not allow the worker's ${event.blockedURI.slice(0, 5)} URL (${event.effectiveDirective}) — add blob: to worker-src (and data:, which WebKit needs; or both to script-src when the policy has no worker-src), or use policy 'unrestricted'`;
      }
    });
    const message: InitMessage = {
      type: 'sandcell:init',
      port,
      control: flags?.buffer as SharedArrayBuffer | undefined,
      inputBuffer,
      config,
    };
    const name = `sandcell:${config.sessionId}`;
    const watch = (worker: Worker, onFailure: (message: string) => void) =>
      worker.addEventListener('error', (error) => {
        error.preventDefault();
        onFailure(error.message);
      });
    const reportFailure = (failure: string) =>
      report({ type: 'worker-error', message: blockedBy || failure || 'the worker script failed' });
    // WebKit's Worker constructor throws at once (SecurityError, "The operation is insecure.")
    // where the policy refuses the URL, and queues the violation event that says which policy:
    // reported a task later, the failure names it.
    const reportThrown = (error: unknown) =>
      setTimeout(() => reportFailure(error instanceof Error ? error.message : String(error)), 0);

    // The other route: a worker from a data: URL (an origin of its own, opaque too, under the same
    // inherited policy) that evaluates the bundle it is sent. Taken only when a blob: worker was
    // refused before it ran: WebKitGTK 2.50 refuses every blob: worker of an opaque-origin frame
    // on a cross-origin-isolated (COEP) page, with an error event that has no message.
    const startFromData = () => {
      let worker: Worker;
      try {
        worker = new Worker(`data:text/javascript,${encodeURIComponent(DATA_BOOTSTRAP)}`, { name });
      } catch (error) {
        reportThrown(error);
        return;
      }
      watch(worker, reportFailure);
      worker.postMessage({ type: 'sandcell:worker-source', source: workerSource });
      worker.postMessage(message, [port]);
    };

    // A blob: worker whose bundle says when it has run: only then does it get the session's port
    // (a port sent to a worker that never starts is lost with it, and the other route needs it).
    let worker: Worker;
    try {
      const url = URL.createObjectURL(new Blob([workerSource, LOADED_SIGNAL], { type: 'text/javascript' }));
      worker = new Worker(url, { name });
    } catch (error) {
      reportThrown(error);
      return;
    }
    let loaded = false;
    const onLoaded = (event: MessageEvent) => {
      if (event.data !== LOADED || loaded) return;
      loaded = true;
      worker.removeEventListener('message', onLoaded);
      worker.postMessage(message, [port]);
    };
    worker.addEventListener('message', onLoaded);
    watch(worker, (failure) => {
      if (loaded || blockedBy || failure) reportFailure(failure);
      else {
        worker.terminate();
        startFromData();
      }
    });
    report({ type: 'booted' });
  };
  window.addEventListener('message', onInit);
}
