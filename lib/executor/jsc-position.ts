/**
 * Error positions in JavaScriptCore (Safari, WebKitGTK), brought to the cell and to V8's token.
 *
 * JSC writes no position into `error.stack` for code run by `eval` (frames read `fn@` or
 * `eval code@`: it ignores `//# sourceURL` there), and cells are compiled by `eval`. What it
 * does give is `error.line` / `error.column`: the position, in the eval'd text, of the first
 * frame that runs JavaScript (native frames such as `parse@[native code]` are skipped, so an
 * error thrown by `JSON.parse` is placed at the call). The compiler gives every compiled text
 * its own range of lines (./compile.ts), so that line alone names the cell; this module reads
 * the stack's top frame, checks that the position can be that frame's, and moves JSC's column
 * to where V8 puts it.
 *
 * JSC's column is its "divot", the end of the sub-expression that failed, where V8 points at
 * its start:
 *
 * | error                                   | JSC points at                  | V8 (and so `error.column`)             |
 * | --------------------------------------- | ------------------------------ | -------------------------------------- |
 * | a call (`n()` not a function, `new f()`, a native callee's throw, `new Error()`) | the `(` after the callee | the callee (`n`), the property of a member callee, `new` |
 * | a property read of null/undefined       | the `.` (`[` when computed)    | the property (`[` when computed)       |
 * | `Can't find variable: x`                | the end of `x`                 | the start of `x`                       |
 * | destructuring null/undefined            | the start of the function      | the first property of the pattern      |
 *
 * What stays JSC's own (see README, "Other engines"): other errors JSC places at the start of
 * the function that threw (a local `const` assigned, a local read before its `let`, spreading
 * a non-iterable), and `Cannot call a class constructor without |new|`, which JSC places in the
 * class (compile.ts moves it to the call when the running cell calls that class once).
 */

import type * as acorn from 'acorn';
import * as walk from 'acorn-walk';
import { offsetOf, type Position, parseOrUndefined, positionOf } from './source-offsets.ts';

export type { Position } from './source-offsets.ts';

/**
 * The function name of the first frame of a JSC stack that runs JavaScript, when that frame is
 * eval'd code (`name@`, no URL): `''` for an anonymous function, `eval code` for eval's top
 * level. Undefined when that frame has a URL (a script, not a cell) or the stack has no frame.
 */
export function jscTopFrame(stack: string): string | undefined {
  for (const line of stack.split('\n')) {
    const text = line.trim();
    if (text === '' || text.endsWith('@[native code]')) continue;
    const match = /^(.*)@$/.exec(text);
    return match ? match[1] : undefined;
  }
  return undefined;
}

/** JSC's message for calling a class without `new` (V8: `Class constructor N cannot be invoked without 'new'`). */
export const JSC_CLASS_CALL = 'Cannot call a class constructor without |new|';

/**
 * Where V8 places an error JSC placed at `position` (1-based, in the cell's own text, or
 * `'start'` when JSC's position is the start of the cell's code), thrown in the frame named
 * `frame`. Undefined when the position cannot be that frame's: a named frame must be a function
 * or class of this cell, so a position that only falls in the cell's lines by chance (code that
 * is not a cell's) is not reported.
 */
export function jscToV8Position(
  source: string,
  position: Position | 'start',
  frame: string,
  name: string,
  message: string,
): Position | undefined {
  const program = parseOrUndefined(source);
  if (!program) return position === 'start' ? { line: 1, column: 1 } : position;
  const offset = position === 'start' ? 0 : offsetOf(source, position);
  if (offset === undefined) return undefined;
  const functions: Array<acorn.Function | acorn.Class> = [];
  walk.full(program, (node) => {
    if (/Function|^Class/.test(node.type) && node.start <= offset && offset <= node.end) {
      functions.push(node as acorn.Function | acorn.Class);
    }
  });
  functions.sort((a, b) => a.end - a.start - (b.end - b.start));
  const scope = position === 'start' ? undefined : functions.find((node) => node.type.includes('Function'));
  if (!frameCanBeHere(source, frame, position === 'start' ? [] : functions)) return undefined;

  const at = (offset: number) => positionOf(source, offset);
  if (name === 'TypeError' && message === 'Right side of assignment cannot be destructured') {
    // JSC places it at the start of the function: the one pattern there is the one that failed.
    const body = scope ? scope.body : program;
    if (position !== 'start' && scope && offset >= scope.body.start) return position;
    const property = onlyDestructuredProperty(body);
    return property === undefined ? (position === 'start' ? { line: 1, column: 1 } : position) : at(property);
  }
  if (position === 'start') return { line: 1, column: 1 };

  const missing = /^Can't find variable: (.+)$/.exec(message);
  if (name === 'ReferenceError' && missing) {
    // The name's last use up to the divot (the end of the name, or of the assignment to it).
    let start: number | undefined;
    walk.full(program, (node) => {
      if (node.type === 'Identifier' && (node as acorn.Identifier).name === missing[1] && node.start <= offset) {
        if (start === undefined || node.start > start) start = node.start;
      }
    });
    return start === undefined ? position : at(start);
  }
  const call = innermost(program, offset, (node) => {
    if (node.type !== 'CallExpression' && node.type !== 'NewExpression') return false;
    const callee = (node as acorn.CallExpression).callee;
    return callee.end <= offset && offset < node.end && /^\s*(?:\?\.\s*)?$/.test(source.slice(callee.end, offset));
  }) as acorn.CallExpression | acorn.NewExpression | undefined;
  if (call) {
    if (call.type === 'NewExpression') return at(call.start);
    const callee = call.callee;
    if (callee.type === 'MemberExpression') return at(propertyStart(source, callee));
    return at(callee.start);
  }
  const member = innermost(program, offset, (node) => {
    if (node.type !== 'MemberExpression') return false;
    const object = (node as acorn.MemberExpression).object;
    return object.end <= offset && offset < node.end && /^\s*$/.test(source.slice(object.end, offset));
  }) as acorn.MemberExpression | undefined;
  if (member) return at(propertyStart(source, member));
  return position;
}

/**
 * Whether JSC's top frame can be running at a position inside `functions` (innermost first):
 * an anonymous frame or eval's top level can be anywhere; a named one must be inside a
 * function or class, and be a name the cell uses (a top-level function runs under its hidden
 * name `__sc$f_<name>`).
 */
function frameCanBeHere(source: string, frame: string, functions: Array<acorn.Function | acorn.Class>): boolean {
  if (frame === '' || frame === 'eval code' || frame === 'global code') return true;
  if (functions.length === 0) return false;
  const name = frame.replace(/^__sc\$f_/, '');
  return new RegExp(`(?:^|[^\\p{ID_Continue}$])${escapeRegExp(name)}(?![\\p{ID_Continue}$])`, 'u').test(source);
}

/**
 * The calls of `name` (a plain identifier callee) in `source`, as 1-based positions of the
 * callee: where V8 places `Class constructor N cannot be invoked without 'new'`.
 */
export function callsOf(source: string, name: string): Position[] {
  const program = parseOrUndefined(source);
  if (!program) return [];
  const calls: Position[] = [];
  walk.full(program, (node) => {
    if (node.type !== 'CallExpression') return;
    const callee = (node as acorn.CallExpression).callee;
    if (callee.type === 'Identifier' && callee.name === name) calls.push(positionOf(source, callee.start));
  });
  return calls;
}

/**
 * Where a `using` declaration is that an engine without the syntax refused (JSC 2.50 reads
 * `using` as a name: `Unexpected identifier 'inner'`, and says no position): the first name a
 * `using` (or `await using`) declaration of the cell binds, when the message names it.
 * Undefined when the cell has no such declaration or the message names none of its names.
 */
export function unparsedUsing(source: string, message: string): Position | undefined {
  const named = /^Unexpected identifier '(.+)'$/.exec(message);
  if (!named) return undefined;
  const program = parseOrUndefined(source);
  if (!program) return undefined;
  let found: number | undefined;
  walk.full(program, (node) => {
    if (node.type !== 'VariableDeclaration' || found !== undefined) return;
    const declaration = node as acorn.VariableDeclaration;
    if (declaration.kind !== 'using' && declaration.kind !== 'await using') return;
    const id = declaration.declarations.find((d) => d.id.type === 'Identifier' && d.id.name === named[1])?.id;
    if (id) found = id.start;
  });
  return found === undefined ? undefined : positionOf(source, found);
}

/** The offset of the first property (or element) of the only destructuring pattern directly in `body`, if there is one. */
function onlyDestructuredProperty(body: acorn.Node): number | undefined {
  const patterns: acorn.Node[] = [];
  walk.recursive(body, undefined, {
    Function() {},
    Class() {},
    VariableDeclarator(node, _state, c) {
      if (node.id.type === 'ObjectPattern' || node.id.type === 'ArrayPattern') patterns.push(node.id);
      if (node.init) c(node.init, undefined);
    },
    AssignmentExpression(node, _state, c) {
      if (node.left.type === 'ObjectPattern' || node.left.type === 'ArrayPattern') patterns.push(node.left);
      c(node.right, undefined);
    },
  });
  if (patterns.length !== 1) return undefined;
  const pattern = patterns[0] as acorn.ObjectPattern | acorn.ArrayPattern;
  const first = pattern.type === 'ObjectPattern' ? pattern.properties[0] : pattern.elements.find((e) => e !== null);
  if (!first) return pattern.start;
  return first.type === 'Property' ? first.key.start : first.start;
}

/** The smallest node around `offset` that `test` accepts. */
function innermost(
  program: acorn.Program,
  offset: number,
  test: (node: acorn.Node) => boolean,
): acorn.Node | undefined {
  let found: acorn.Node | undefined;
  walk.full(program, (node) => {
    if (node.start > offset || node.end < offset || !test(node)) return;
    if (!found || node.end - node.start < found.end - found.start) found = node;
  });
  return found;
}

/** Where V8 points for a member access: its property, or the `[` of a computed one. */
function propertyStart(source: string, member: acorn.MemberExpression): number {
  if (!member.computed) return member.property.start;
  const bracket = source.indexOf('[', member.object.end);
  return bracket < 0 || bracket > member.property.start ? member.property.start : bracket;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
