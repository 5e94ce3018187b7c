/**
 * Errors the SDK throws on the host. Errors raised by user code never land here:
 * they come back in `ExecutionResult.error`.
 */

/** Base class of every error sandcell throws. */
export class SandcellError extends Error {
  override name = 'SandcellError';
}

/** The session was closed: its worker is gone and it accepts no more calls. */
export class SessionClosedError extends SandcellError {
  override name = 'SessionClosedError';
}

/** `SessionManager.create` was called with `maxSessions` sessions already open. */
export class SessionLimitError extends SandcellError {
  override name = 'SessionLimitError';
}

/** Why a snapshot could not be saved or restored. */
export type SnapshotErrorCause = 'quota' | 'unavailable' | 'corrupt' | 'not-found';

/** A snapshot could not be saved, listed, restored or deleted; the live session is untouched. */
export class SnapshotError extends SandcellError {
  override name = 'SnapshotError';
  override readonly cause: SnapshotErrorCause;
  constructor(message: string, cause: SnapshotErrorCause, options?: { error?: unknown }) {
    super(message);
    this.cause = cause;
    if (options?.error !== undefined) (this as { detail?: unknown }).detail = options.error;
  }
}

/** A policy denies what was asked (an unknown policy name on the host; a denied API in the cell). */
export class PolicyError extends SandcellError {
  override name = 'PolicyError';
}
