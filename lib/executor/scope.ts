/**
 * Which names a cell binds where: enough scope analysis for the REPL transform to tell a
 * reference to one of the cell's own local bindings (left alone) from a reference to the
 * session's namespace (rewritten). Only binding names matter, not their kinds: a scope is a
 * set of names, pushed while the walk is inside the node that makes it.
 */
import type * as acorn from 'acorn';
import { forEachChild, isAnnexBFunction, patternNames } from './ast.ts';

type AnyNode = acorn.AnyNode;

/** `using` and `await using` declarations (acorn's kind strings). */
export function isUsing(node: acorn.VariableDeclaration): boolean {
  return (node.kind as string) === 'using' || (node.kind as string) === 'await using';
}

function isFunction(
  node: AnyNode,
): node is acorn.FunctionDeclaration | acorn.FunctionExpression | acorn.ArrowFunctionExpression {
  return (
    node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression'
  );
}

/**
 * `var` names (and, in sloppy code, Annex B block-function names) declared anywhere under
 * `root` without crossing into a nested function or static block: the names `root`'s
 * function (or the cell) binds as vars.
 */
export function varNames(root: AnyNode, strict: boolean): string[] {
  const names: string[] = [];
  const stack: Array<[AnyNode, AnyNode | undefined]> = [[root, undefined]];
  while (stack.length > 0) {
    const [node, parent] = stack.pop() as [AnyNode, AnyNode | undefined];
    if (node !== root && (isFunction(node) || node.type === 'StaticBlock')) {
      if (node.type === 'FunctionDeclaration' && node.id && !strict && isAnnexBFunction(node, parent)) {
        names.push(node.id.name);
      }
      continue;
    }
    if (node.type === 'VariableDeclaration' && node.kind === 'var') {
      for (const declarator of node.declarations) names.push(...patternNames(declarator.id));
    }
    // Expressions cannot hold a var declaration (only through a function, skipped above).
    forEachChild(node, (child) => {
      if (isStatementLike(child)) stack.push([child, node]);
    });
  }
  return names;
}

const NOT_STATEMENTS = new Set(['Identifier', 'Literal', 'MemberExpression', 'CallExpression', 'BinaryExpression']);
function isStatementLike(node: AnyNode): boolean {
  return !NOT_STATEMENTS.has(node.type);
}

/** Names a statement list binds lexically: let/const/class/using, and function declarations (block-scoped in a block). */
export function lexicalNames(statements: readonly AnyNode[]): string[] {
  const names: string[] = [];
  for (const statement of statements) {
    if (statement.type === 'VariableDeclaration' && statement.kind !== 'var') {
      for (const declarator of statement.declarations) names.push(...patternNames(declarator.id));
    } else if ((statement.type === 'ClassDeclaration' || statement.type === 'FunctionDeclaration') && statement.id) {
      names.push(statement.id.name);
    }
  }
  return names;
}

/** The names a function binds for its body: parameters, `arguments`, its own name (expressions), vars, and its body's lexical names. */
export function functionScope(node: acorn.Function, strict: boolean): Set<string> {
  const names = new Set<string>();
  for (const param of node.params) for (const name of patternNames(param)) names.add(name);
  if (node.type !== 'ArrowFunctionExpression') names.add('arguments');
  if (node.type === 'FunctionExpression' && node.id) names.add(node.id.name);
  if (node.body.type === 'BlockStatement') {
    for (const name of varNames(node.body, strict)) names.add(name);
    for (const name of lexicalNames(node.body.body)) names.add(name);
  }
  return names;
}

/** The names a node binds for its children, if it makes a scope (functions aside, see {@link functionScope}). */
export function blockScope(node: AnyNode, parent: AnyNode | undefined, strict: boolean): Set<string> | undefined {
  switch (node.type) {
    case 'BlockStatement':
      // A function's body shares the function's scope.
      if (parent && isFunction(parent)) return undefined;
      return new Set(lexicalNames(node.body));
    case 'StaticBlock':
      return new Set([...varNames(node, strict), ...lexicalNames(node.body)]);
    case 'SwitchStatement':
      return new Set(lexicalNames(node.cases.flatMap((c) => c.consequent)));
    case 'ForStatement':
      return node.init?.type === 'VariableDeclaration' && node.init.kind !== 'var'
        ? new Set(node.init.declarations.flatMap((d) => patternNames(d.id)))
        : undefined;
    case 'ForInStatement':
    case 'ForOfStatement':
      return node.left.type === 'VariableDeclaration' && node.left.kind !== 'var'
        ? new Set(node.left.declarations.flatMap((d) => patternNames(d.id)))
        : undefined;
    case 'CatchClause':
      return new Set(node.param ? patternNames(node.param) : []);
    case 'ClassDeclaration':
    case 'ClassExpression':
      return node.id ? new Set([node.id.name]) : undefined;
    default:
      return undefined;
  }
}

/** Whether a directive prologue (`'use strict'` first in a body) makes the code strict. */
export function hasUseStrict(statements: readonly AnyNode[]): boolean {
  for (const statement of statements) {
    if (statement.type !== 'ExpressionStatement' || statement.directive === undefined) return false;
    if (statement.directive === 'use strict') return true;
  }
  return false;
}
