// Page-side handle on the bare baseline worker (workers/bare-worker.js).

const URL_ = new URL('../workers/bare-worker.js', import.meta.url);

/** Starts a bare worker; resolves at its first message, with the time that took. */
export async function startBare() {
  const t0 = performance.now();
  const worker = new Worker(URL_, { type: 'module' });
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
