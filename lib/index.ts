/**
 * sandcell: run code in sandboxed, stateful, stoppable sessions in the browser.
 * This module is the whole public surface (see API.md); nothing else is part of the contract.
 */

// Errors
export {
  PolicyError,
  SandcellError,
  SessionClosedError,
  SessionLimitError,
  SnapshotError,
  type SnapshotErrorCause,
} from './errors.ts';
// Rich output
export { renderDisplay } from './host/render-display.ts';
// Sessions
export { createSession, Session } from './host/session.ts';
export { SessionManager, type SessionManagerOptions } from './host/session-manager.ts';
// Snapshots saved in IndexedDB, without a session
export { deleteSnapshot, listSnapshots } from './host/snapshot-listing.ts';

// Types
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
  PythonOptions,
  RestartDetail,
  RestoreInfo,
  RestoreOptions,
  SessionEventMap,
  SessionLanguage,
  SessionOptions,
  SessionState,
  SessionStats,
  SkippedVariable,
  SnapshotInfo,
  VariableInfo,
} from './types.ts';
