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

/** Resolves with the next message of `type` from `worker`. */
export function nextMessage(worker, type) {
  return new Promise((resolve, reject) => {
    const onMessage = (event) => {
      if (event.data?.type !== type) return;
      worker.removeEventListener('message', onMessage);
      resolve(event.data);
    };
    worker.addEventListener('message', onMessage);
    worker.addEventListener('error', (event) => reject(new Error(`bare worker failed: ${event.message}`)), {
      once: true,
    });
  });
}
