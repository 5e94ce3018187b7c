// A second thread that plays the host's part while the main thread is busy running Python.
// Slots of the shared Int32Array: 0 the interrupt flag Pyodide reads, 1 "the cell has started"
// (set by the cell), 2 "the cell has settled" (set by the test).
//
// On 'arm' it waits for the cell to start, stores SIGINT in the flag, and — as the host does
// until the cell settles or its grace period ends — stores it again every 20 ms: a stop whose
// handler could not even be called (a cell at the recursion limit) is delivered again.
import { parentPort, workerData } from 'node:worker_threads';

const shared = new Int32Array(workerData);
const FLAG = 0;
const STARTED = 1;
const SETTLED = 2;

parentPort.on('message', () => {
  Atomics.wait(shared, STARTED, 0);
  Atomics.store(shared, STARTED, 0);
  do {
    Atomics.store(shared, FLAG, 2);
    Atomics.notify(shared, FLAG);
  } while (Atomics.wait(shared, SETTLED, 0, 20) === 'timed-out');
  Atomics.store(shared, SETTLED, 0);
  parentPort.postMessage('settled');
});
