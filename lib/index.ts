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
} from './errors';
export { renderDisplay } from './render-display';
export { createSession, Session } from './session';
export { SessionManager, type SessionManagerOptions } from './session-manager';
export { deleteSnapshot, listSnapshots } from './snapshots';
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
} from './types';
