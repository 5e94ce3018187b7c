/** What crosses back from the worker, turned into what the public API promises. */
import { errorFromWire, SandcellError } from '../errors.ts';
import type { CellOutcome } from '../protocol.ts';
import type { ExecutionMode, ExecutionResult } from '../types.ts';

/** A cell's outcome as the `ExecutionResult` users see (internal fields such as checkpointFollows stay behind). */
export function toResult(outcome: CellOutcome): ExecutionResult {
  const result: ExecutionResult = { status: outcome.status, mode: outcome.mode, durationMs: outcome.durationMs };
  if ('value' in outcome) result.value = outcome.value;
  if (outcome.repr !== undefined) result.repr = outcome.repr;
  if (outcome.error) result.error = outcome.error;
  if (outcome.outputDropped > 0) result.outputDropped = outcome.outputDropped;
  return result;
}

/** Comlink rebuilds a thrown error as a plain Error with the wire fields copied on: give it its class back. */
export function fromWorker(error: unknown): unknown {
  if (!(error instanceof Error) || error instanceof SandcellError) return error;
  const cause = (error as { cause?: unknown }).cause;
  return errorFromWire({
    name: error.name,
    message: error.message,
    stack: error.stack,
    cause: typeof cause === 'string' ? cause : undefined,
  });
}

/**
 * The result of a cell the hard path ended: its worker was killed (interrupt, time limit) or
 * died, and a new worker came back with the variables of the last completed cell.
 */
export function hardPathResult(
  reason: 'interrupted' | 'timeout' | 'crashed',
  mode: ExecutionMode,
  durationMs: number,
  message?: string,
): ExecutionResult {
  const result: ExecutionResult = {
    status: reason === 'crashed' ? 'error' : reason,
    mode,
    durationMs,
    restarted: true,
  };
  if (reason === 'crashed') {
    result.error = {
      name: 'WorkerCrash',
      message: `[sandcell] ${message ?? 'the worker crashed'}; the session restarted with the variables of the last completed cell`,
    };
  }
  return result;
}
