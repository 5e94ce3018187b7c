/**
 * Errors the SDK throws on the host. Errors raised by user code never land here:
 * they come back in `ExecutionResult.error`.
 */
import type { WireError } from './protocol.ts';

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

// ── crossing the worker boundary ──────────────────────────────────────────────────

const SNAPSHOT_CAUSES: readonly SnapshotErrorCause[] = ['quota', 'unavailable', 'corrupt', 'not-found'];

/**
 * @internal
 * An error as plain data for postMessage: name, message, stack, and SnapshotError's cause.
 * Reads own fields only (a thrown value may be hostile: getters that throw are skipped).
 */
export function errorToWire(error: unknown): WireError {
  const field = (key: 'name' | 'message' | 'stack' | 'cause'): unknown => {
    try {
      return typeof error === 'object' && error !== null ? (error as Record<string, unknown>)[key] : undefined;
    } catch {
      return undefined;
    }
  };
  if (typeof error !== 'object' || error === null) return { name: 'Error', message: String(error) };
  const wire: WireError = {
    name: typeof field('name') === 'string' ? (field('name') as string) : 'Error',
    message: typeof field('message') === 'string' ? (field('message') as string) : '',
  };
  const stack = field('stack');
  if (typeof stack === 'string') wire.stack = stack;
  const cause = field('cause');
  if (typeof cause === 'string') wire.cause = cause;
  return wire;
}

const BUILT_IN_ERRORS: Record<string, ErrorConstructor> = {
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

/** @internal Rebuilds an error sent with {@link errorToWire}, as the SDK's own class where it is one. */
export function errorFromWire(wire: WireError): Error {
  let error: Error;
  switch (wire.name) {
    case 'SnapshotError': {
      const cause = SNAPSHOT_CAUSES.find((known) => known === wire.cause) ?? 'unavailable';
      error = new SnapshotError(wire.message, cause);
      break;
    }
    case 'PolicyError':
      error = new PolicyError(wire.message);
      break;
    case 'SessionClosedError':
      error = new SessionClosedError(wire.message);
      break;
    case 'SessionLimitError':
      error = new SessionLimitError(wire.message);
      break;
    case 'SandcellError':
      error = new SandcellError(wire.message);
      break;
    default: {
      const Builtin = Object.hasOwn(BUILT_IN_ERRORS, wire.name) ? BUILT_IN_ERRORS[wire.name] : undefined;
      error = Builtin ? new Builtin(wire.message) : new Error(wire.message);
      if (!Builtin) error.name = wire.name;
    }
  }
  if (wire.stack !== undefined) error.stack = wire.stack;
  return error;
}
