/**
 * The edits a cell's rewrite makes to its text, recorded during the walk and applied at the
 * end. Edits go through magic-string, so every user token keeps a source-map entry to where
 * the user wrote it.
 */
import type * as acorn from 'acorn';
import MagicString from 'magic-string';

/** Names the generated code uses; a cell may not use names with this prefix. */
export const RESERVED_PREFIX = '__sc$';
/** The namespace's lexical scope object (the cell arrow's second parameter). */
export const SCOPE = '__sc$s';
/** The cell's completion value so far. */
export const COMPLETION = '__sc$c';
/** A temporary object that a destructuring top-level declaration fills. */
export const TEMP = '__sc$t';

export class CellEdits {
  readonly source: string;
  readonly ms: MagicString;
  // magic-string clears insertions inside a range that is later overwritten, and cannot insert
  // strictly inside an overwritten range, so all overwrites run before any insertion.
  readonly #replacements: Array<() => void> = [];
  // Recorded in post-order (children before their parent): repeated prependRight/appendLeft
  // at one index then nest the parent's text outside the child's.
  readonly #insertions: Array<() => void> = [];

  constructor(source: string) {
    this.source = source;
    this.ms = new MagicString(source);
  }

  /** Records an edit that overwrites, removes or moves text (applied first). */
  replace(edit: () => void): void {
    this.#replacements.push(edit);
  }

  /** Records an edit that inserts text (applied after every replacement, in recording order). */
  insert(edit: () => void): void {
    this.#insertions.push(edit);
  }

  /** Ends a rewritten statement with `;` when the user relied on ASI. */
  terminate(node: acorn.Node): void {
    if (this.source[node.end - 1] !== ';') this.insert(() => this.ms.appendLeft(node.end, ';'));
  }

  /** Applies the recorded edits, once. */
  apply(): void {
    for (const edit of this.#replacements) edit();
    for (const edit of this.#insertions) edit();
    this.#replacements.length = 0;
    this.#insertions.length = 0;
  }
}
