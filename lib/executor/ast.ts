/**
 * Generic helpers over acorn's syntax tree, used by the REPL rewrite (./transform.ts) but
 * about the language, not about sandcell: which identifiers are references, which names a
 * pattern binds, which node kinds can run code, and a walk that tells each child's key.
 */
import type * as acorn from 'acorn';

type AnyNode = acorn.AnyNode;

/** A sloppy-mode function declared in a block, switch case or `if` branch (generators and async ones stay block-scoped): Annex B also binds its name in the enclosing function. */
export function isAnnexBFunction(node: acorn.FunctionDeclaration, parent: AnyNode | undefined): boolean {
  return (
    !node.async &&
    !node.generator &&
    (parent?.type === 'BlockStatement' || parent?.type === 'SwitchCase' || parent?.type === 'IfStatement')
  );
}

/** The last statement that is not empty (`1;;` still ends in `1`). */
export function lastStatement(ast: acorn.Program): acorn.Statement | acorn.ModuleDeclaration | undefined {
  for (let i = ast.body.length - 1; i >= 0; i--) {
    if (ast.body[i].type !== 'EmptyStatement') return ast.body[i];
  }
  return undefined;
}

/** Whether an identifier under `parent[key]` names a binding (not a property name or label). */
export function isReference(parent: AnyNode, key: string): boolean {
  switch (parent.type) {
    case 'MemberExpression':
      return key !== 'property' || parent.computed;
    case 'Property':
    case 'MethodDefinition':
    case 'PropertyDefinition':
      return key !== 'key' || parent.computed;
    case 'LabeledStatement':
    case 'BreakStatement':
    case 'ContinueStatement':
    case 'MetaProperty':
      return false;
    default:
      return true;
  }
}

/** Names bound by a declaration pattern, in source order. */
export function patternNames(pattern: acorn.Pattern): string[] {
  switch (pattern.type) {
    case 'Identifier':
      return [pattern.name];
    case 'ObjectPattern':
      return pattern.properties.flatMap((property) =>
        property.type === 'RestElement' ? patternNames(property.argument) : patternNames(property.value),
      );
    case 'ArrayPattern':
      return pattern.elements.flatMap((element) => (element ? patternNames(element) : []));
    case 'RestElement':
      return patternNames(pattern.argument);
    case 'AssignmentPattern':
      return patternNames(pattern.left);
    default:
      return [];
  }
}

/** Nodes that make a function or class. */
export const FUNCTION_MAKERS: ReadonlySet<string> = new Set([
  'FunctionDeclaration',
  'FunctionExpression',
  'ArrowFunctionExpression',
  'ClassDeclaration',
  'ClassExpression',
]);

/** Nodes that cannot run code defined elsewhere (plus `=` assignment, checked apart). */
export const INERT: ReadonlySet<string> = new Set([
  'Program',
  'ExpressionStatement',
  'EmptyStatement',
  'BlockStatement',
  'VariableDeclaration',
  'VariableDeclarator',
  'Identifier',
  'Literal',
  'ArrayExpression',
  'ObjectExpression',
  'Property',
  // Not the destructuring patterns: they run iterators and getters.
  'AssignmentPattern',
  'SequenceExpression',
  ...FUNCTION_MAKERS,
]);

/** What lets a function body run unboundedly: calling out, looping, catching (to resume past a stack overflow), suspending. */
const UNBOUNDED = new Set([
  'CallExpression',
  'NewExpression',
  'TaggedTemplateExpression',
  'ImportExpression',
  'ForStatement',
  'ForInStatement',
  'ForOfStatement',
  'WhileStatement',
  'DoWhileStatement',
  'TryStatement',
  'AwaitExpression',
  'YieldExpression',
]);

/**
 * True for a function whose body has none of UNBOUNDED (nested functions aside: they are
 * checked on their own). Such a function does a bounded amount of work per call: it can
 * still run user code implicitly (getters, valueOf, iterators), but that code is checked
 * itself unless it is such a leaf too, and a chain of leaves cannot outlive the stack —
 * with no catch anywhere in it, the first stack overflow unwinds all of it. Skipping the
 * entry check here is what keeps call-heavy code (small helpers in hot loops) cheap.
 */
export function isBoundedLeaf(node: acorn.Function): boolean {
  const stack: AnyNode[] = [node.body as AnyNode];
  for (const param of node.params) stack.push(param as AnyNode);
  while (stack.length > 0) {
    const current = stack.pop() as AnyNode;
    if (UNBOUNDED.has(current.type)) return false;
    forEachChild(current, (child) => {
      const type = child.type;
      if (type === 'FunctionExpression' || type === 'ArrowFunctionExpression' || type === 'FunctionDeclaration') return;
      stack.push(child);
    });
  }
  return true;
}

/**
 * What a subtree holds, for choosing a rewrite: an `await` of its own function level (not in a
 * nested function), and how many times each name is referenced or bound anywhere in it (nested
 * functions included; property names and labels are not counted).
 */
export function survey(root: AnyNode): { awaits: boolean; names: Map<string, number> } {
  const names = new Map<string, number>();
  let awaits = false;
  const stack: Array<[node: AnyNode, nested: boolean, counted: boolean]> = [[root, false, true]];
  while (stack.length > 0) {
    const [current, nested, counted] = stack.pop() as [AnyNode, boolean, boolean];
    if (current.type === 'Identifier' && counted) names.set(current.name, (names.get(current.name) ?? 0) + 1);
    else if (current.type === 'AwaitExpression' && !nested) awaits = true;
    else if (current.type === 'ForOfStatement' && current.await && !nested) awaits = true;
    const inner =
      nested ||
      current.type === 'FunctionExpression' ||
      current.type === 'ArrowFunctionExpression' ||
      current.type === 'FunctionDeclaration';
    // A shorthand property's key and value are two nodes for one name: the value counts.
    const shorthand = current.type === 'Property' && current.shorthand;
    forEachChild(current, (child, key) => {
      stack.push([child, inner, isReference(current, key) && !(shorthand && key === 'key')]);
    });
  }
  return { awaits, names };
}

/** A function or class expression without a name of its own: a binding it is assigned to names it. */
export function isAnonymousFunctionDefinition(node: AnyNode): boolean {
  return (
    node.type === 'ArrowFunctionExpression' ||
    ((node.type === 'FunctionExpression' || node.type === 'ClassExpression') && !node.id)
  );
}

/** Whether an identifier under `parent[key]` is written, not read (assignment and update targets, loop heads, patterns). */
export function isWriteTarget(parent: AnyNode | undefined, key: string): boolean {
  switch (parent?.type) {
    case 'AssignmentExpression':
    case 'ForInStatement':
    case 'ForOfStatement':
      return key === 'left';
    case 'UpdateExpression':
      return true;
    case 'ArrayPattern':
    case 'RestElement':
      return true;
    case 'AssignmentPattern':
      return key === 'left';
    case 'Property':
      // A property of an object pattern (its value is a target); object expressions are not patterns.
      return false;
    default:
      return false;
  }
}

/** The identifiers a declaration pattern binds (not those in its defaults or computed keys). */
export function collectBindingIdentifiers(pattern: acorn.Pattern, into: Set<AnyNode>): void {
  switch (pattern.type) {
    case 'Identifier':
      into.add(pattern);
      return;
    case 'ObjectPattern':
      for (const property of pattern.properties) {
        collectBindingIdentifiers(property.type === 'RestElement' ? property.argument : property.value, into);
      }
      return;
    case 'ArrayPattern':
      for (const element of pattern.elements) if (element) collectBindingIdentifiers(element, into);
      return;
    case 'RestElement':
      collectBindingIdentifiers(pattern.argument, into);
      return;
    case 'AssignmentPattern':
      collectBindingIdentifiers(pattern.left, into);
      return;
  }
}

/** Whether a field of a node holds a node (rather than a name, a flag or a value). */
export function isNode(value: unknown): value is AnyNode {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

/**
 * Calls `visit` for each direct child node with the key it sits under. A generic walk (rather
 * than acorn-walk's) because the rewrite needs each child's parent and key, e.g. to tell
 * `for (var k in o)` from `var k = 1`.
 */
export function forEachChild(node: AnyNode, visit: (child: AnyNode, key: string) => void): void {
  const record = node as unknown as Record<string, unknown>;
  for (const key in record) {
    if (key === 'type' || key === 'loc' || key === 'start' || key === 'end') continue;
    const value = record[key];
    if (Array.isArray(value)) {
      for (const item of value) if (isNode(item)) visit(item, key);
    } else if (isNode(value)) {
      visit(value, key);
    }
  }
}
