/**
 * Runs around every browser test (vitest.config.ts `setupFiles`): after the test and its own
 * cleanup, no worker the test started may still be running, and no `<iframe>` it added — a
 * session's frame, or any other — may be left in the document. Counted, not inferred from a
 * session's state: a session that says 'closed' but left its worker or frame behind is exactly
 * the leak this is for.
 *
 * Only what appeared during the test counts, and a leak is reported, not cleaned up: killing a
 * leaked session's worker (or removing its frame) would make that session restart, and its new
 * runner would be blamed on the next test.
 */
import { afterEach, beforeEach } from 'vitest';
import { countRunners, liveWorkerSet, workerName } from './runners';

countRunners();

let workersBefore: ReadonlySet<Worker> = new Set();
let framesBefore = new Set<HTMLIFrameElement>();

beforeEach(() => {
  workersBefore = liveWorkerSet();
  framesBefore = new Set(document.querySelectorAll('iframe'));
});

// Registered before any test file's hooks, so it runs after them (after-hooks run in reverse).
afterEach(() => {
  const workers = [...liveWorkerSet()].filter((worker) => !workersBefore.has(worker)).map(workerName);
  const frames = [...document.querySelectorAll('iframe')].filter((frame) => !framesBefore.has(frame));
  if (workers.length === 0 && frames.length === 0) return;
  const found = [
    workers.length > 0 ? `${workers.length} worker(s) still running (${workers.join(', ')})` : '',
    frames.length > 0
      ? `${frames.length} <iframe>(s) in the document (${frames.map((f) => f.dataset.sandcellSession ?? f.title ?? 'untitled').join(', ')})`
      : '',
  ].filter(Boolean);
  throw new Error(`the test left ${found.join(' and ')} — close every session and manager it opened`);
});
