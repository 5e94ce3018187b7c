/**
 * Top-level loops keep the namespace bindings they use in a local object.
 *
 * A cell's let/const/class live in the namespace's lexical scope object (`__sc$s`), which is in
 * V8's dictionary mode on purpose (see lib/namespace/namespace.ts): every `__sc$s.c` is a hash
 * lookup that optimized code cannot turn into a field load, so a top-level loop such as
 * `for (…) c = f(c)` ran ~8× slower than the same script. The outermost loop of the cell's
 * top-level code therefore copies the bindings it references into a holder, a plain object
 * whose fields optimized code reads and writes directly, and references them there:
 *
 *   for (…) c = f(c)   →   const __sc$h1 = { c: __sc$s.c }; __sc$.hoist(__sc$h1, ["c"]);
 *                          try { for (…) __sc$h1.c = f(__sc$h1.c) } finally { __sc$.unhoist(__sc$h1, ["c"]); }
 *
 * While the loop runs, each kept `let` binding of the scope is an accessor onto the holder, so
 * whatever the loop calls (functions of other cells, eval code, getters) reads and writes the
 * same value; the `finally` turns it back into data holding the last value, on every way out
 * (break, a throw, an interrupt). A kept `const` is only read through the holder (it cannot
 * change while the loop runs), unless the loop may write it: then the write must throw, so it
 * stays on the scope. The price: code the loop calls that uses a kept binding itself goes
 * through an accessor while the loop runs (a getter call instead of a hash lookup).
 *
 * Only bindings sure to be initialised when the loop starts are kept (./declarations.ts,
 * `lexicalStateAt`), only in cells without top-level await (nothing else may run between the
 * compilation, which looked at the bindings, and the loop), and only references in code the
 * loop runs itself (function bodies it creates keep going through the scope).
 */
import type * as acorn from 'acorn';
import { isWriteTarget } from './ast.ts';
import { type CellEdits, SCOPE } from './edits.ts';
import type { ScopeRef } from './references.ts';

type AnyNode = acorn.AnyNode;

interface KeptBinding {
  state: 'mutable' | 'const';
  /** A reference may write it. */
  written: boolean;
  refs: ScopeRef[];
}

/** The bindings one top-level loop references, while it is walked. */
export class LoopBindings {
  readonly #holder: string;
  readonly #bindings = new Map<string, KeptBinding>();

  constructor(holder: string) {
    this.#holder = holder;
  }

  /**
   * A reference to lexical binding `name` in the loop's own code, under `parent[key]`: what it
   * goes through (decided by {@link wrap}).
   */
  reference(name: string, state: 'mutable' | 'const', parent: AnyNode | undefined, key: string): ScopeRef {
    let binding = this.#bindings.get(name);
    if (binding === undefined) {
      binding = { state, written: false, refs: [] };
      this.#bindings.set(name, binding);
    }
    // An object pattern's value (`({ c } = o)`) is a write too; an object literal's is not, but is counted alike.
    if (isWriteTarget(parent, key) || parent?.type === 'Property') binding.written = true;
    const ref: ScopeRef = { text: SCOPE };
    binding.refs.push(ref);
    return ref;
  }

  /**
   * Decides which bindings the loop keeps, points their references at the holder, and wraps the
   * loop (from `start`, its outermost label, to `end`) in the code that fills the holder and
   * redirects the scope. Nothing when it keeps none.
   */
  wrap(edits: CellEdits, start: number, end: number): void {
    const kept: string[] = [];
    const redirected: string[] = [];
    for (const [name, binding] of this.#bindings) {
      // `{ __proto__: … }` would set the holder's prototype.
      if ((binding.state === 'const' && binding.written) || name === '__proto__') continue;
      kept.push(name);
      if (binding.state === 'mutable') redirected.push(name);
      for (const ref of binding.refs) ref.text = this.#holder;
    }
    if (kept.length === 0) return;
    const holder = this.#holder;
    const fields = kept.map((name) => `${name}: ${SCOPE}.${name}`).join(', ');
    // A block of its own: the loop may be the body of an `if` or a label-less statement position.
    let open = `{ const ${holder} = { ${fields} }; `;
    let close = ' }';
    if (redirected.length > 0) {
      const names = JSON.stringify(redirected);
      open += `__sc$.hoist(${holder}, ${names}); try { `;
      close = ` } finally { __sc$.unhoist(${holder}, ${names}); }${close}`;
    }
    edits.insert(() => {
      edits.ms.prependRight(start, open);
      edits.ms.appendLeft(end, close);
    });
  }
}
