/**
 * Where a session's worker runs, and the few things the page does to it there: raise its
 * interrupt flag, answer its synchronous `input()`, and end it. Two places:
 *
 * - its own opaque-origin frame (`sandbox`, `standard`, any policy without storage): the
 *   browser enforces the sandbox — no storage, cookies or locks of the page's origin, and a
 *   Content-Security-Policy that the worker inherits (see frame-host.ts);
 * - the page itself (`unrestricted`, or `storage: true`): a worker of the page's origin.
 *
 * Either way the worker is one classic script started from a blob: URL of its source text.
 */
import type { RuntimeConfig } from '../../protocol.ts';
import type { PolicyConfig } from '../../types.ts';
import { startFrameHost } from './frame-host.ts';
import { startPageHost } from './page-host.ts';

export interface WorkerHostOptions {
  /** Shown in DevTools' thread list. */
  name: string;
  /** The worker bundle (one classic script). */
  source: string;
  /** The worker's end of the session port. */
  port: MessagePort;
  config: RuntimeConfig;
  /** Give the worker shared memory (interrupt flag, synchronous input): the page is cross-origin isolated. */
  isolated: boolean;
  /** A frame document the page serves itself (default: a `srcdoc` frame). */
  frameURL?: string;
  /** The worker, or its frame, failed: before it answered (it could not start), or after (it crashed). */
  onFailure: (message: string) => void;
}

export interface WorkerHost {
  /** `'frame'`: in its own opaque-origin frame; `'page'`: on the page's origin. */
  readonly kind: 'frame' | 'page';
  /** Raises the interrupt flag for `cellId` (and wakes a synchronous `input()`); false without shared memory. */
  requestStop(cellId: number): boolean;
  /**
   * The running cell's deadline passed by the page's clock: raises the flag as `-cellId`, for
   * loop checks that only load it (the worker decides by its own clock). No-op without shared memory.
   */
  markDeadline(cellId: number): void;
  /** Writes the answer of a synchronous `input()` into shared memory and wakes the worker. */
  answerSyncInput(ok: boolean, text: string): void;
  /** The worker answered its first call: start watching for its death. */
  started(): void;
  /** Ends the worker at once (removes its frame, or terminates it). Idempotent. */
  dispose(): void;
}

/** Whether a policy's session runs on the page's origin (it needs the page's storage). */
export function runsOnPage(policy: PolicyConfig): boolean {
  return policy.storage;
}

/** Starts the worker where its policy says. */
export function startWorkerHost(options: WorkerHostOptions): WorkerHost {
  return runsOnPage(options.config.policy) ? startPageHost(options) : startFrameHost(options);
}
