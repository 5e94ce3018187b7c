// Runs in the differential page: sandcell's side of each sequence through the public API
// (createSession → execute per cell), and the plain workers the console side evaluates in.
import * as sandcell from '../../dist/sandcell.js';
import { captureIntrinsics, makeRenderers, normalizeSandcellError, renderSandcellValue } from './normalize.mjs';

/**
 * @param {import('../../lib/index.ts').ExecutionResult} result
 */
function normalizeResult(result) {
  const detail = result.error ? `${result.error.name}: ${result.error.message}` : result.repr;
  if (result.status === 'ok') {
    return {
      status: 'ok',
      value: renderSandcellValue(result, 'value' in result),
      detail: detail?.slice(0, 300),
    };
  }
  if (result.status === 'error' && result.error) {
    return { ...normalizeSandcellError(result.error), detail: detail?.slice(0, 300) };
  }
  return { status: result.status, message: result.status, detail };
}

/**
 * One sequence in one fresh session.
 * @param {string[]} cells
 * @param {number} cellTimeoutMs
 */
async function runSandcellSequence(cells, cellTimeoutMs) {
  let session;
  try {
    session = await sandcell.createSession();
  } catch (error) {
    const message = `createSession rejected: ${error?.message ?? error}`;
    return cells.map(() => ({ status: 'rejected', message, detail: message }));
  }
  const outcomes = [];
  try {
    for (const cell of cells) {
      try {
        outcomes.push(normalizeResult(await session.execute(cell, { timeoutMs: cellTimeoutMs })));
      } catch (error) {
        const message = `execute rejected: ${error?.name ?? 'Error'}: ${error?.message ?? error}`;
        outcomes.push({ status: 'rejected', message, detail: message });
      }
    }
  } finally {
    await session.close().catch(() => {});
  }
  return outcomes;
}

// The console side's worker: a dedicated worker with nothing in its global scope but what the
// platform puts there. Its script builds the renderers over intrinsics captured before any cell
// runs, hands them over once through a global that console.mjs takes and deletes, and says it is
// ready.
const workerSource = `(() => {
  const renderers = (${makeRenderers.toString()})((${captureIntrinsics.toString()})(), globalThis);
  globalThis.__differentialRenderer = { value: renderers.live, thrown: renderers.thrown };
  postMessage('ready');
})();`;
const workerUrl = URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' }));
/** @type {Map<string, Worker>} */
const consoleWorkers = new Map();
let nextWorker = 1;

/** Starts a console-side worker; resolves to its name once its script ran. */
async function startConsoleWorker() {
  const name = `differential-console-${nextWorker++}`;
  const worker = new Worker(workerUrl, { name });
  consoleWorkers.set(name, worker);
  await new Promise((resolve, reject) => {
    worker.onmessage = () => resolve(undefined);
    worker.onerror = (event) => reject(new Error(`console worker failed to start: ${event.message}`));
  });
  return name;
}

/** @param {string} name */
function stopConsoleWorker(name) {
  consoleWorkers.get(name)?.terminate();
  consoleWorkers.delete(name);
}

Object.assign(window, { runSandcellSequence, startConsoleWorker, stopConsoleWorker, differentialReady: true });
