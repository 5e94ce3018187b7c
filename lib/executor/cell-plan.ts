/**
 * What the REPL transform makes of a cell: everything about it that depends only on
 * its text and the transform options, so it can be cached and reused (types only).
 */
import type { ExecutionMode } from '../types.ts';

export type DeclarationKind = 'var' | 'let' | 'const' | 'function' | 'class';

/** Source map v3, as JSON (sources: ['cell']). */
export interface CellSourceMap {
  version: 3;
  sources: string[];
  names: string[];
  mappings: string;
  sourcesContent?: (string | null)[];
  file?: string;
}

export interface TransformOptions {
  /** Insert interrupt checks at loop back-edges and function entries (default true). */
  instrument?: boolean;
  /** Allow dynamic `import()` (policy-dependent; default false → a syntax error naming the policy). */
  allowDynamicImport?: boolean;
}

/** A successfully transformed cell. */
export interface CellPlan {
  mode: Exclude<ExecutionMode, 'syntax-error'>;
  /**
   * Source of one JavaScript expression that evaluates to a function taking the cell
   * runtime (`__sc$`) and running the cell: a plain `function` for sync modes, an
   * `async function` for 'top-level-await'. It returns `{ value }` when the cell ends in an
   * expression statement and `undefined` otherwise.
   */
  code: string;
  /** Maps positions in `code` back to the cell's own text. */
  map: CellSourceMap;
  /** The cell ends in an expression statement. */
  hasValue: boolean;
  /** Top-level names the cell declares, in source order. */
  declarations: Array<{ name: string; kind: DeclarationKind }>;
  /** Source text of each top-level function and class declaration, by name (snapshots re-create them). */
  definitions: Record<string, string>;
  /** Every identifier the cell reads or writes that is not bound inside the cell (may touch the namespace). */
  freeNames: string[];
  /** The cell makes a function or class (a later call of it may touch any of its free names). */
  definesFunctions: boolean;
  /**
   * The cell may run code defined elsewhere: a call, `new`, a property read (getters), a
   * coercion (`valueOf`), iteration… Only cells of plain literals, names and `=` are false.
   */
  mayCall: boolean;
}

/** A cell that does not parse, with the position in the cell's own text (1-based). */
export interface CellSyntaxError {
  mode: 'syntax-error';
  message: string;
  line: number;
  column: number;
}
