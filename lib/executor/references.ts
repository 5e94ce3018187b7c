/**
 * How a reference to a name the cell does not bind itself is rewritten, once the walk
 * (./transform.ts) knows where the name lives:
 *
 *   lexical (the namespace's let/const/class)   x  →  __sc$s.x          f()  →  (0, __sc$s.f)()
 *     (in a top-level loop that keeps the binding in a local holder: __sc$h1.x)
 *   dynamic (later code; a later cell may declare it)
 *     x  →  (__sc$k0 === __sc$g[0] ? x : "x" in __sc$s ? __sc$s.x : (__sc$k0 = __sc$g[0], x))
 *     `__sc$g[0]` is the namespace's generation, which grows whenever a lexical binding is
 *     added; `__sc$k0` (one per name, in the cell's prelude) remembers the generation at which
 *     the scope last did not have it. Until a binding is added the name is the global one, so
 *     a hot loop pays a load and a compare, not a dictionary lookup per reference.
 *   bare (a global, or code that runs now and finds nothing lexical)   x  →  x
 */
import type * as acorn from 'acorn';
import { isWriteTarget } from './ast.ts';
import { type CellEdits, SCOPE } from './edits.ts';

type AnyNode = acorn.AnyNode;

/** Where a reference goes: a local of the cell, the lexical scope, a bare global, or a dynamic choice. */
export type Place = 'local' | 'lexical' | 'bare' | 'dynamic';

/**
 * The object a lexical reference goes through, read when the edits are applied: the scope, or
 * the holder of a top-level loop that keeps the binding (decided once the loop has been walked,
 * after its references were recorded; see ./loop-bindings.ts).
 */
export interface ScopeRef {
  text: string;
}

/** The prelude's local for the namespace's generation (a one-slot Int32Array, `__sc$.gen`). */
export const GENERATION = '__sc$g';

/** References that go through the namespace's lexical scope object. */
export const THROUGH_SCOPE: ScopeRef = Object.freeze({ text: SCOPE });

/**
 * Rewrites a reference to `node` (under `parent[key]`) that lives in `place`.
 * @param shorthand The identifier is a shorthand property's value (`{x}`): the key must stay.
 */
export function rewriteReference(
  edits: CellEdits,
  node: acorn.Identifier,
  parent: AnyNode | undefined,
  key: string,
  place: Place,
  shorthand: boolean,
  through: ScopeRef = THROUGH_SCOPE,
  /** For a dynamic reference: the prelude's variable that caches the name's absence (see the header). */
  cache?: string,
): void {
  const name = node.name;
  if (place === 'lexical') {
    const callee =
      (parent?.type === 'CallExpression' && key === 'callee') ||
      (parent?.type === 'TaggedTemplateExpression' && key === 'tag');
    // Called as `(0, scope.f)()`: a call through the scope object would pass it as `this`.
    if (callee && rewriteCallee(edits, node, parent, () => `(0, ${through.text}.${name})`)) return;
    rewriteName(
      edits,
      node,
      () => (callee ? `(0, ${through.text}.` : `${through.text}.`),
      callee ? ')' : '',
      shorthand,
    );
  } else if (place === 'dynamic' && !isWriteTarget(parent, key)) {
    const lookup = `${JSON.stringify(name)} in ${SCOPE} ? ${SCOPE}.${name} : `;
    const text =
      cache === undefined
        ? `(${lookup}${name})`
        : `(${cache} === ${GENERATION}[0] ? ${name} : ${lookup}(${cache} = ${GENERATION}[0], ${name}))`;
    if (parent?.type === 'CallExpression' && key === 'callee' && rewriteCallee(edits, node, parent, () => text)) return;
    // Replaced whole: V8 places an error in this expression at its start, mapped to the name.
    const full = shorthand ? `${name}: ${text}` : text;
    edits.replace(() => edits.ms.overwrite(node.start, node.end, full));
  }
}

/**
 * Puts text around an identifier, which itself stays in place: its source-map entry stays
 * exact, so an error V8 reports at the name maps back to the name.
 */
export function rewriteName(
  edits: CellEdits,
  node: acorn.Identifier,
  prefix: string | (() => string),
  suffix: string,
  shorthand: boolean,
): void {
  edits.insert(() => {
    const text = typeof prefix === 'string' ? prefix : prefix();
    edits.ms.prependRight(node.start, shorthand ? `${node.name}: ${text}` : text);
    if (suffix) edits.ms.appendLeft(node.end, suffix);
  });
}

/**
 * A called name rewritten to a parenthesised expression: V8 places a failed call (`f is not a
 * function`, a class called without `new`) at the arguments' `(` when the callee is
 * parenthesised, but at the name itself when it is a bare name, as the user wrote it. The
 * name and that `(` are replaced as one piece, which maps as a whole to the name. Only for
 * `f(…)` and `f  (…)`: a comment or `?.` in between keeps the plain rewrite.
 */
function rewriteCallee(
  edits: CellEdits,
  node: acorn.Identifier,
  parent: AnyNode | undefined,
  text: () => string,
): boolean {
  if (parent?.type !== 'CallExpression' || parent.optional) return false;
  const open = edits.source.indexOf('(', node.end);
  if (open < 0 || edits.source.slice(node.end, open).trim() !== '') return false;
  edits.replace(() => edits.ms.overwrite(node.start, open + 1, `${text()}(`));
  return true;
}

/**
 * The text that replaces `typeof x` or `delete x` of a name in the lexical scope or a dynamic
 * one, or undefined when the expression stays as written.
 */
export function unaryOnNameText(operator: 'typeof' | 'delete', name: string, place: Place): string | undefined {
  if (place === 'local' || place === 'bare') return undefined;
  if (operator === 'delete') {
    // A binding is never deleted; only `delete` of a global property can succeed.
    return place === 'dynamic' ? undefined : 'false';
  }
  if (place === 'lexical') return `typeof ${SCOPE}.${name}`;
  return `(${JSON.stringify(name)} in ${SCOPE} ? typeof ${SCOPE}.${name} : typeof ${name})`;
}
