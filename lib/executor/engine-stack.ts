/**
 * `error.stack` as each engine writes it, brought to one shape so the rest of the executor
 * (and the user) reads a single format in Chromium, Firefox and Safari.
 *
 * - V8: a `Name: message` header, then frames `    at fn (url:line:column)`.
 * - SpiderMonkey and JavaScriptCore: frames only, `fn@url:line:column` (`fn` may be empty;
 *   SpiderMonkey marks async frames `async*fn@…`, JavaScriptCore writes native frames
 *   `fn@[native code]`), and no header: the message is not in the stack at all.
 *
 * Columns are 1-based in all three (SpiderMonkey since Firefox 121), so positions need no
 * shifting here; which token a position points at is an engine matter (see README, "Other engines").
 * JavaScriptCore writes no position at all for frames of `eval`'d code (cells): their place
 * comes from `error.line` / `error.column` instead (./jsc-position.ts).
 */

import type * as acorn from 'acorn';
import * as walk from 'acorn-walk';
import { offsetOf, parseOrUndefined, positionOf } from './source-offsets.ts';

/** A V8 frame line. */
const V8_FRAME = /^\s+at /;
/** A SpiderMonkey / JavaScriptCore frame with a position: everything before the last `@` is the function. */
const AT_FRAME = /^(.*)@(.+:\d+:\d+)$/;
/** A JavaScriptCore frame of `eval`'d code (a cell): JSC writes no location for it at all, `fn@`. */
const UNPLACED_FRAME = /^[^@]*@$/;

/**
 * The stack in V8's shape: unchanged when it already is (any `    at ` frame) or has no
 * `fn@url:line:column` frame at all (an object's own stack text); otherwise the error's
 * `Name: message` header, as V8 would have written it, followed by each
 * `fn@url:line:column` frame rewritten as `    at fn (url:line:column)`. Frames without a
 * position (native code, and every frame of a cell in JavaScriptCore) and lines that are no
 * frame are dropped: they carry nothing to map. A stack of unplaced frames only is still the
 * engine's stack: it becomes the header alone.
 */
export function toV8Stack(stack: string, name: string, message: string): string {
  const lines = stack.split('\n');
  if (lines.some((line) => V8_FRAME.test(line))) return stack;
  const frames: string[] = [];
  let unplaced = false;
  for (const line of lines) {
    const match = AT_FRAME.exec(line.trim());
    if (!match) {
      unplaced ||= UNPLACED_FRAME.test(line.trim());
      continue;
    }
    const fn = match[1].replace(/^async\*/, '');
    const at = fn === match[1] ? '    at ' : '    at async ';
    frames.push(fn ? `${at}${fn} (${match[2]})` : `${at}${match[2]}`);
  }
  if (frames.length === 0 && !unplaced) return stack;
  return [message === '' ? name : `${name}: ${message}`, ...frames].join('\n');
}

/**
 * SpiderMonkey's "can't access property" TypeError (`null.x`, `a.b.c` with `a.b` undefined)
 * points at the start of the whole member expression; V8 at the property that could not be
 * read (`x`), or at the `[` of a computed one. This moves such a position (1-based line and
 * column in the cell's own text) to where V8 puts it, so `error.column` reads the same in
 * both. The message names the property (and, after a comma, the object that was null or
 * undefined), which picks the access among those that start there; where none starts there,
 * the one access later on that line with that property and object. Its `null has no
 * properties` (destructuring null) points at the value; V8 at the pattern's first property.
 * Any other error, and any other position, is returned as it was.
 */
export function toV8Position(
  source: string,
  position: { line: number; column: number },
  name: string,
  message: string,
): { line: number; column: number } {
  if (name !== 'TypeError') return position;
  if (NO_PROPERTIES.test(message)) return destructuredProperty(source, position);
  const named = CANT_ACCESS.exec(message);
  if (!named) return position;
  const property = named[1] !== undefined ? unescapeQuoted(named[1]) : named[2];
  const offset = offsetOf(source, position);
  if (offset === undefined) return position;
  const program = parseOrUndefined(source);
  if (!program) return position;
  const objectText = named[3];
  const candidates: acorn.MemberExpression[] = [];
  const later: acorn.MemberExpression[] = [];
  walk.full(program, (node) => {
    if (node.type !== 'MemberExpression') return;
    const member = node as acorn.MemberExpression;
    if (propertyName(member) !== property) return;
    if (member.start === offset) candidates.push(member);
    // Inside a function SpiderMonkey's position can be the statement's (`return x.a` at
    // `return`): then the access on that line whose object the message names.
    else if (
      member.start > offset &&
      !source.slice(offset, member.start).includes('\n') &&
      objectText !== undefined &&
      source.slice(member.object.start, member.object.end) === objectText
    )
      later.push(member);
  });
  if (candidates.length === 0 && later.length === 1) candidates.push(...later);
  if (candidates.length === 0) return position;
  // Innermost first: when the object is a plain name, the first access is the one that failed.
  candidates.sort((a, b) => a.end - b.end);
  const chosen =
    (objectText !== undefined &&
      candidates.find((member) => source.slice(member.object.start, member.object.end) === objectText)) ||
    candidates[0];
  const at = chosen.computed ? source.indexOf('[', chosen.object.end) : chosen.property.start;
  return at < 0 ? position : positionOf(source, at);
}

/** SpiderMonkey's `null has no properties`: destructuring null or undefined, placed at the value (V8: at the pattern's first property). */
const NO_PROPERTIES = /^(?:null|undefined|.+) has no properties$/;

/**
 * The first property of the object pattern whose value starts at `position` (a declarator's
 * initialiser or an assignment's right side), where V8 places a failed destructuring; the
 * position as it was when no pattern's value starts there.
 */
function destructuredProperty(source: string, position: { line: number; column: number }) {
  const offset = offsetOf(source, position);
  if (offset === undefined) return position;
  const program = parseOrUndefined(source);
  if (!program) return position;
  let key: number | undefined;
  walk.full(program, (node) => {
    let pattern: acorn.Node | undefined;
    if (node.type === 'VariableDeclarator') {
      const declarator = node as acorn.VariableDeclarator;
      if (declarator.init?.start === offset) pattern = declarator.id;
    } else if (node.type === 'AssignmentExpression') {
      const assignment = node as acorn.AssignmentExpression;
      if (assignment.right.start === offset) pattern = assignment.left;
    }
    if (key !== undefined || pattern?.type !== 'ObjectPattern') return;
    const first = (pattern as acorn.ObjectPattern).properties[0];
    if (first) key = first.type === 'Property' ? first.key.start : first.start;
  });
  return key === undefined ? position : positionOf(source, key);
}

/** `can't access property "x" of null`, `can't access property 0 of null`, `can't access property "c", a.b is undefined`. */
const CANT_ACCESS =
  /^can't access property (?:"((?:[^"\\]|\\.)*)"|([^\s,]+))(?:, (.+) is (?:null|undefined)| of (?:null|undefined))?$/;

function unescapeQuoted(text: string): string {
  return text.replace(/\\(.)/g, '$1');
}

function propertyName(member: acorn.MemberExpression): string | undefined {
  const key = member.property;
  if (!member.computed)
    return key.type === 'Identifier' ? key.name : key.type === 'PrivateIdentifier' ? `#${key.name}` : undefined;
  return key.type === 'Literal' && (typeof key.value === 'string' || typeof key.value === 'number')
    ? String(key.value)
    : undefined;
}
