// Page-side handle on the bare baseline worker (workers/bare-worker.js).

const URL_ = new URL('../workers/bare-worker.js', import.meta.url);
const ECHO_URL = new URL('../workers/bare-echo.js', import.meta.url);

/**
 * Starts a bare worker; resolves at its first message, with the time that took.
 * @param {{ echoOnly?: boolean }} [options] echoOnly: the empty echo worker (no imports), the
 *   floor for round trips and cold starts
 */
export async function startBare({ echoOnly = false } = {}) {
  const t0 = performance.now();
  const worker = new Worker(echoOnly ? ECHO_URL : URL_, { type: 'module' });
  await nextMessage(worker, 'ready');
  const startMs = performance.now() - t0;
  return {
    worker,
    startMs,
    /** Sends a message and resolves with the first reply of `replyType`. */
    call(message, replyType) {
      const reply = nextMessage(worker, replyType);
      worker.postMessage(message);
      return reply;
    },
    close: () => worker.terminate(),
  };
}

/**
 * An echo worker hosted as a session is by default: in an opaque-origin frame
 * (`sandbox="allow-scripts"`, so its own process), started from a blob: URL, reached through a
 * MessagePort the page made and passed on through the frame — the floor for a framed session's round trip.
 */
export async function startFramedEcho() {
  const frame = document.createElement('iframe');
  frame.setAttribute('sandbox', 'allow-scripts');
  frame.setAttribute('allow', 'cross-origin-isolated');
  frame.hidden = true;
  const worker =
    "onmessage = (e) => { const p = e.data; p.onmessage = (m) => p.postMessage(m.data); p.postMessage({ type: 'ready' }); };";
  frame.srcdoc = `<script>addEventListener('message', (e) => { const w = new Worker(URL.createObjectURL(new Blob([${JSON.stringify(worker)}], { type: 'text/javascript' }))); w.postMessage(e.data, [e.data]); });</script>`;
  const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
  document.body.appendChild(frame);
  await loaded;
  const { port1, port2 } = new MessageChannel();
  port1.start();
  const ready = nextMessage(port1, 'ready');
  frame.contentWindow.postMessage(port2, '*', [port2]);
  await ready;
  return {
    call(message, replyType) {
      const reply = nextMessage(port1, replyType);
      port1.postMessage(message);
      return reply;
    },
    close: () => {
      port1.close();
      frame.remove();
    },
  };
}

/** Resolves with the next message of `type` from `worker` (a Worker or a MessagePort). */
export function nextMessage(worker, type) {
  return new Promise((resolve, reject) => {
    const onError = (event) => {
      worker.removeEventListener('message', onMessage);
      reject(new Error(`bare worker failed: ${event.message}`));
    };
    const onMessage = (event) => {
      if (event.data?.type !== type) return;
      worker.removeEventListener('message', onMessage);
      // Removed too: listeners left behind pile up, and every later call got slower (the echo baseline grew with the run).
      worker.removeEventListener('error', onError);
      resolve(event.data);
    };
    worker.addEventListener('message', onMessage);
    worker.addEventListener('error', onError, { once: true });
  });
}
