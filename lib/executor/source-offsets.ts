/**
 * Positions in a cell's text: 1-based line and column (what `result.error` and the console
 * say) to and from offsets (what acorn's nodes carry), and a parse for code that moves an
 * engine's error position to another token, where a cell that does not parse keeps the
 * engine's position.
 */

import type * as acorn from 'acorn';
import { parse } from 'acorn';
import { PARSE_OPTIONS } from './parse.ts';

/** A 1-based position in a cell's text. */
export interface Position {
  line: number;
  column: number;
}

/** The offset of `position` in `source`; undefined when the text has no such line or column. */
export function offsetOf(source: string, { line, column }: Position): number | undefined {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const next = source.indexOf('\n', offset);
    if (next < 0) return undefined;
    offset = next + 1;
  }
  const at = offset + column - 1;
  return at <= source.length ? at : undefined;
}

/** The position of `offset` in `source`. */
export function positionOf(source: string, offset: number): Position {
  const before = source.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/** The cell's syntax tree, or undefined when it does not parse (the error then stays where the engine put it). */
export function parseOrUndefined(source: string): acorn.Program | undefined {
  try {
    return parse(source, PARSE_OPTIONS);
  } catch {
    return undefined;
  }
}
