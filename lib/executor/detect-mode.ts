/**
 * Execution-mode detection: classify a parsed cell (./parse.ts) so the worker can pick the
 * cheapest path that runs it correctly.
 */

import type * as acorn from 'acorn';
import type { Program } from 'acorn';
import type { ExecutionMode } from '../types.ts';
import { forEachChild } from './ast.ts';
import { parseCell } from './parse.ts';

/**
 * The execution mode of a parsed cell. Precedence: top-level await > blocking > expression >
 * async-def > sync.
 * @param ast A program from {@link parseCell}.
 */
export function classifyProgram(ast: Program): Exclude<ExecutionMode, 'syntax-error'> {
  let topLevelAwait = false;
  let blocking = false;
  let asyncDef = false;
  // An explicit stack, not a recursive walk: a cell nested a thousand deep must not overflow
  // a worker's (small) stack. `top`: not inside a function, static block or field initialiser,
  // which run as bodies of their own (a computed key runs in the enclosing scope).
  const stack: Array<[acorn.AnyNode, boolean]> = [[ast, true]];
  while (stack.length > 0) {
    const [node, top] = stack.pop() as [acorn.AnyNode, boolean];
    switch (node.type) {
      case 'AwaitExpression':
        if (top) topLevelAwait = true;
        break;
      case 'ForOfStatement':
        if (node.await && top) topLevelAwait = true;
        break;
      case 'VariableDeclaration':
        // `await using` awaits the disposal at the end of its block.
        if ((node.kind as string) === 'await using' && top) topLevelAwait = true;
        break;
      case 'CallExpression':
        if (!blocking && isBlockingCall(node)) blocking = true;
        break;
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        if (node.async) asyncDef = true;
        break;
    }
    const childTop =
      top &&
      node.type !== 'FunctionDeclaration' &&
      node.type !== 'FunctionExpression' &&
      node.type !== 'ArrowFunctionExpression' &&
      node.type !== 'StaticBlock';
    forEachChild(node, (child, key) => {
      stack.push([child, childTop && !(node.type === 'PropertyDefinition' && key === 'value')]);
    });
  }
  if (topLevelAwait) return 'top-level-await';
  if (blocking) return 'blocking';
  if (isSingleExpression(ast)) return 'expression';
  if (asyncDef) return 'async-def';
  return 'sync';
}

/**
 * Parses and classifies a cell.
 * @param source The cell's text.
 * @returns How the cell would run, or 'syntax-error' if it does not parse.
 */
export function detectMode(source: string): ExecutionMode {
  const parsed = parseCell(source);
  return 'ast' in parsed ? classifyProgram(parsed.ast) : 'syntax-error';
}

/** The program's only statement, ignoring empty ones, is an expression statement. */
export function isSingleExpression(ast: Program): boolean {
  const statements = ast.body.filter((statement) => statement.type !== 'EmptyStatement');
  return statements.length === 1 && statements[0].type === 'ExpressionStatement';
}

const GLOBAL_OBJECTS = new Set(['globalThis', 'self', 'window']);

function isBlockingCall(node: acorn.CallExpression): boolean {
  const callee = node.callee;
  if (callee.type === 'Identifier') return callee.name === 'input' || callee.name === 'prompt';
  if (callee.type !== 'MemberExpression') return false;
  const property = memberName(callee);
  const object = callee.object;
  if (object.type === 'Identifier') {
    if (object.name === 'Atomics' && property === 'wait') return true;
    if (GLOBAL_OBJECTS.has(object.name) && (property === 'prompt' || property === 'input')) return true;
  }
  if (property === 'open' && node.arguments.length >= 3) {
    const async = node.arguments[2];
    return async.type === 'Literal' && async.value === false;
  }
  return false;
}

function memberName(node: acorn.MemberExpression): string | undefined {
  if (!node.computed && node.property.type === 'Identifier') return node.property.name;
  if (node.computed && node.property.type === 'Literal' && typeof node.property.value === 'string') {
    return node.property.value;
  }
  return undefined;
}
