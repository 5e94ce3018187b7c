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
export { renderDisplay } from './host/render-display.ts';
export { createSession, Session } from './host/session.ts';
export { SessionManager, type SessionManagerOptions } from './host/session-manager.ts';
export { deleteSnapshot, listSnapshots } from './host/snapshot-listing.ts';
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
