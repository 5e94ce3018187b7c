/**
 * Counts what runs sessions, for the whole browser suite (installed by ./leak-check.ts): a
 * session runs in its own frame (`<iframe data-sandcell-session>`, its worker inside, for
 * 'sandbox' and 'standard') or in a worker the page starts itself ('unrestricted', storage).
 * Frames are seen by a MutationObserver, page workers by wrapping `globalThis.Worker`. Tests
 * read the counts to tell a pooled create from a cold one; the leak check reads them after
 * every test.
 */

const RealWorker = globalThis.Worker;
const liveWorkers = new Map<Worker, string>();
let started = 0;

class CountingWorker extends RealWorker {
  constructor(url: string | URL, options?: WorkerOptions) {
    super(url, options);
    started++;
    liveWorkers.set(this, options?.name || String(url));
  }
  override terminate(): void {
    liveWorkers.delete(this);
    super.terminate();
  }
}

const SESSION_FRAME = 'iframe[data-sandcell-session]';

function countAddedFrames(records: MutationRecord[]): void {
  for (const record of records) {
    for (const node of record.addedNodes) {
      if (!(node instanceof Element)) continue;
      if (node.matches(SESSION_FRAME)) started++;
      started += node.querySelectorAll(SESSION_FRAME).length;
    }
  }
}
const observer = new MutationObserver(countAddedFrames);

/** Starts counting (once, before any test). */
export function countRunners(): void {
  globalThis.Worker = CountingWorker;
  observer.observe(document.documentElement, { childList: true, subtree: true });
}

/** How many session runners (frames and page workers) were started since the suite began. */
export function startedRunners(): number {
  // Mutation records are otherwise delivered a microtask later: count what happened so far.
  countAddedFrames(observer.takeRecords());
  return started;
}

/** The session runners running now: page workers not terminated, and session frames in the document. */
export function liveRunners(): string[] {
  const frames = [...document.querySelectorAll<HTMLIFrameElement>(SESSION_FRAME)];
  return [
    ...liveWorkers.values(),
    ...frames.map((frame) => `frame of ${frame.dataset.sandcellSession || 'a session'}`),
  ];
}

/** The page workers constructed and not terminated yet. */
export function liveWorkerSet(): ReadonlySet<Worker> {
  return new Set(liveWorkers.keys());
}

/** Names a page worker for a message. */
export function workerName(worker: Worker): string {
  return liveWorkers.get(worker) ?? 'a worker';
}
