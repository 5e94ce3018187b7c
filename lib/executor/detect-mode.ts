/**
 * Execution-mode detection: classify a parsed cell (./parse.ts) so the worker can pick the
 * cheapest path that runs it correctly.
 */

import type * as acorn from 'acorn';
import type { Program } from 'acorn';
import { ancestor } from 'acorn-walk';
import type { ExecutionMode } from '../types.ts';
import { parseCell } from './parse.ts';

/**
 * The execution mode of a parsed cell. Precedence: top-level await > blocking > expression >
 * async-def > sync.
 * @param ast A program from {@link parseCell}.
 */
export function classifyProgram(ast: Program): Exclude<ExecutionMode, 'syntax-error'> {
  const found = { topLevelAwait: false, blocking: false, asyncDef: false };
  const visitFunction = (node: acorn.Function) => {
    if (node.async) found.asyncDef = true;
  };
  ancestor(ast, {
    AwaitExpression(node, _state, ancestors) {
      if (!found.topLevelAwait && isTopLevel(node, ancestors)) found.topLevelAwait = true;
    },
    ForOfStatement(node, _state, ancestors) {
      if (node.await && !found.topLevelAwait && isTopLevel(node, ancestors)) found.topLevelAwait = true;
    },
    CallExpression(node) {
      if (!found.blocking && isBlockingCall(node)) found.blocking = true;
    },
    FunctionDeclaration: visitFunction,
    FunctionExpression: visitFunction,
    ArrowFunctionExpression: visitFunction,
  });
  if (found.topLevelAwait) return 'top-level-await';
  if (found.blocking) return 'blocking';
  if (isSingleExpression(ast)) return 'expression';
  if (found.asyncDef) return 'async-def';
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

// Class field initialisers and static blocks run as their own function bodies, so an
// `await` in them is not the cell's; a computed key is evaluated in the enclosing scope.
function isTopLevel(node: acorn.AnyNode, ancestors: acorn.AnyNode[]): boolean {
  for (const outer of ancestors) {
    if (outer === node) continue;
    switch (outer.type) {
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
      case 'StaticBlock':
        return false;
      case 'PropertyDefinition':
        if (outer.value && node.start >= outer.value.start && node.end <= outer.value.end) return false;
        break;
    }
  }
  return true;
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
