/**
 * The rewrite of a cell's top-level `let`/`const` (and `using`): each declarator initialises
 * its binding in the namespace's lexical scope through the runtime, after its initialiser ran,
 * so a binding stays in its dead zone until then (see ./transform.ts for where names live).
 *
 *   let a = 1, {b} = o;   →   __sc$.init("a", (1), "let"), __sc$.initAll((() => { const {b} = o; return { __proto__: null, b }; })(), "let");
 *   let {d = 1} = {d};    →   __sc$.initAll((__sc$t = { __proto__: null }, ({d: __sc$t.d = 1} = {d: __sc$s.d}), __sc$t), "let");
 */
import type * as acorn from 'acorn';
import { collectBindingIdentifiers, isAnonymousFunctionDefinition, patternNames, survey } from './ast.ts';
import { type CellEdits, RESERVED_PREFIX, TEMP } from './edits.ts';
import { isUsing } from './scope.ts';

type AnyNode = acorn.AnyNode;

/** What the rewrite needs from the walk (./transform.ts), in the declaration's own context. */
export interface DeclarationWalk {
  readonly edits: CellEdits;
  /** Walks a child of the declaration. */
  visit(node: AnyNode, parent: AnyNode, key: string): void;
  /** A name the cell binds or references that is the namespace's. */
  free(name: string): void;
  /** Runs `visit` with `names` bound locally (the arrow of an in-place destructuring). */
  bound(names: Set<string>, visit: () => void): void;
  /** Runs `visit` on a pattern whose binding identifiers (`targets`) are written into the temporary. */
  pattern(targets: Set<AnyNode>, visit: () => void): void;
  /** The cell needs the temporary `__sc$t`. */
  useTemp(): void;
  /** Aborts the walk: `id` is a name reserved for the engine. */
  reserved(id: acorn.Identifier): never;
}

/**
 * A top-level `let`/`const`: each declarator initialises its binding through the runtime
 * (a simple name) or destructures into a temporary object first (a pattern).
 */
export function rewriteLexicalDeclaration(walk: DeclarationWalk, node: acorn.VariableDeclaration): void {
  const ms = walk.edits.ms;
  const kind = JSON.stringify(isUsing(node) ? 'const' : node.kind);
  const first = node.declarations[0];
  walk.edits.replace(() => ms.remove(node.start, first.start));
  for (const declarator of node.declarations) {
    const id = declarator.id;
    const init = declarator.init;
    if (id.type === 'Identifier') {
      if (id.name.startsWith(RESERVED_PREFIX)) walk.reserved(id);
      walk.free(id.name);
      const name = JSON.stringify(id.name);
      const head = `__sc$.init(${name}, `;
      if (init) {
        walk.visit(init, declarator, 'init');
        // From the name through `=`: the initialiser may start with parentheses acorn leaves out of its node.
        const equals = walk.edits.source.indexOf('=', id.end);
        // `let f = () => {}` names the function `f`; as a call argument it would stay anonymous.
        const named = isAnonymousFunctionDefinition(init);
        walk.edits.replace(() => ms.overwrite(id.start, equals + 1, named ? `${head}({ ${name}: (` : `${head}(`));
        walk.edits.insert(() => ms.appendLeft(declarator.end, named ? `) })[${name}], ${kind})` : `), ${kind})`));
      } else {
        walk.edits.replace(() => ms.overwrite(id.start, id.end, `${head}void 0, ${kind})`));
      }
      continue;
    }
    if (init && destructureInPlace(walk, declarator, id, init, kind)) continue;
    walk.useTemp();
    const targets = new Set<AnyNode>();
    collectBindingIdentifiers(id, targets);
    walk.pattern(targets, () => walk.visit(id, declarator, 'id'));
    if (init) walk.visit(init, declarator, 'init');
    walk.edits.insert(() => {
      ms.prependRight(declarator.start, `__sc$.initAll((${TEMP} = { __proto__: null }, (`);
      ms.appendLeft(declarator.end, `), ${TEMP}), ${kind})`);
    });
  }
  walk.edits.terminate(node);
}

/**
 * A destructuring declarator kept as the user wrote it, as a declaration of its own inside
 * an arrow that hands its bindings over: `const {z} = null` then fails as a declaration does
 * (`Cannot destructure property 'z' of 'null' as it is null.`, at `z`), where the assignment
 * pattern of the general rewrite says `Cannot read properties of null`. Only when nothing in
 * it names what it binds except the bindings themselves (a reference would meet the arrow's
 * own binding rather than the namespace's) and it holds no `eval` (whose declarations would
 * land in the arrow).
 */
function destructureInPlace(
  walk: DeclarationWalk,
  declarator: acorn.VariableDeclarator,
  id: acorn.Pattern,
  init: acorn.Expression,
  kind: string,
): boolean {
  const names = patternNames(id);
  const inInit = survey(init);
  const inPattern = survey(id);
  if (inInit.names.has('eval') || inPattern.names.has('eval')) return false;
  if (names.some((name) => inInit.names.has(name))) return false;
  // A pattern name met again in the pattern (a default, a computed key) is a reference to it.
  const bound = new Map<string, number>();
  for (const name of names) bound.set(name, (bound.get(name) ?? 0) + 1);
  if (names.some((name) => (inPattern.names.get(name) ?? 0) > (bound.get(name) ?? 0))) return false;
  for (const name of names) if (name.startsWith(RESERVED_PREFIX)) return false;
  for (const name of names) walk.free(name);
  const awaits = inInit.awaits || inPattern.awaits;
  walk.bound(new Set(names), () => {
    walk.visit(id, declarator, 'id');
    walk.visit(init, declarator, 'init');
  });
  const ms = walk.edits.ms;
  walk.edits.insert(() => {
    ms.prependRight(declarator.start, `__sc$.initAll(${awaits ? 'await (async ' : '('}() => { const `);
    ms.appendLeft(declarator.end, `; return { __proto__: null, ${names.join(', ')} }; })(), ${kind})`);
  });
  return true;
}
