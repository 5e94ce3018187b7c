// A second thread that plays the host's part: when the cell says it has started (slot 1), it stores
// SIGINT in the interrupt flag (slot 0) while the main thread is still busy running Python.
import { parentPort, workerData } from 'node:worker_threads';

const shared = new Int32Array(workerData);
parentPort.on('message', () => {
  Atomics.wait(shared, 1, 0);
  Atomics.store(shared, 1, 0);
  Atomics.store(shared, 0, 2);
  Atomics.notify(shared, 0);
  parentPort.postMessage('fired');
});
