/**
 * What the REPL transform makes of a cell: everything about it that depends only on
 * its text and the transform options, so it can be cached and reused (types, and one predicate).
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

/**
 * How a name the cell does not bind itself resolves when the cell is compiled: a binding of
 * the namespace's lexical scope (`lexical`: an initialised `let`/`class`, `lexical-const`: an
 * initialised `const`, `lexical-dead`: one in its dead zone — a loop may keep the first two in
 * a local, see ./loop-bindings.ts), a built-in global of the worker, or anything else (a user
 * global, or nothing yet).
 */
export type NameResolution = 'lexical' | 'lexical-const' | 'lexical-dead' | 'builtin' | 'other';

/** Whether a resolution is a binding of the namespace's lexical scope, in whatever state. */
export function isLexicalResolution(resolution: NameResolution): boolean {
  return resolution === 'lexical' || resolution === 'lexical-const' || resolution === 'lexical-dead';
}

export interface TransformOptions {
  /** Insert interrupt checks at loop back-edges and function entries (default true). */
  instrument?: boolean;
  /**
   * Loop back-edges load the shared interrupt flag (`__sc$.i`) instead of counting down
   * (default false): only where the host can raise that flag, for stops and deadlines.
   */
  flagChecks?: boolean;
  /** Allow dynamic `import()` (policy-dependent; default false → a syntax error naming the policy). */
  allowDynamicImport?: boolean;
  /** Resolves free names against the namespace (default: every name is 'other'). */
  resolve?: (name: string) => NameResolution;
  /**
   * The text is the argument of a direct `eval` at a cell's top level: no object-literal rule,
   * and its own let/const/class stay its own (only its vars and functions reach the namespace).
   */
  evalCode?: boolean;
}

/** A successfully transformed cell. */
export interface CellPlan {
  mode: Exclude<ExecutionMode, 'syntax-error'>;
  /**
   * Source of one JavaScript expression that evaluates to an arrow function taking the cell
   * runtime (`__sc$`) and the namespace's lexical scope (`__sc$s`) and running the cell
   * (async for 'top-level-await'). It returns `{ value }`: the cell's completion value, or
   * the runtime's `empty` marker when the cell completed without one.
   */
  code: string;
  /** Maps positions in `code` back to the cell's own text. */
  map: CellSourceMap;
  /** The cell can complete with a value (it has an expression statement outside functions). */
  hasValue: boolean;
  /**
   * The resolution of every free name the code depends on (see resolutionKeyOf): the same
   * text compiles to other code once one of them resolves differently.
   */
  resolutionKey: string;
  /** The names `resolutionKey` covers, sorted. */
  resolvedNames: string[];
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
  /** The error's name when it is not a SyntaxError (a cell nested too deeply to transform: RangeError). */
  name?: string;
  message: string;
  line: number;
  column: number;
}
