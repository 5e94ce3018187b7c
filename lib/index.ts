/**
 * sandcell: run code in sandboxed, stateful, stoppable sessions in the browser.
 * This module is the whole public surface.
 */

export {
  PolicyError,
  SandcellError,
  SessionClosedError,
  SessionLimitError,
  SnapshotError,
  type SnapshotErrorCause,
} from './errors.ts';
export { renderDisplay } from './render-display.ts';
export { createSession, Session } from './session.ts';
export { SessionManager, type SessionManagerOptions } from './session-manager.ts';
export { deleteSnapshot, listSnapshots } from './snapshots.ts';
export type {
  CellError,
  ExecuteOptions,
  ExecutionMode,
  ExecutionResult,
  MergeStrategy,
  NamespaceHandle,
  OutputEvent,
  PolicyConfig,
  PolicyName,
  RestoreInfo,
  SessionOptions,
  SessionState,
  SessionStats,
  SkippedVariable,
  SnapshotInfo,
  VariableInfo,
} from './types.ts';
