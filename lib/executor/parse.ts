/**
 * Parsing a cell: acorn with the options every stage shares, the DevTools console's
 * lone-object-literal rule (`{a: 1}` is an object, not a block), and acorn's syntax errors
 * turned into the public shape (1-based column, no ` (line:column)` suffix).
 */

import type * as acorn from 'acorn';
import { type Expression, type Options, type Program, parse, parseExpressionAt } from 'acorn';
import type { CellSyntaxError } from './cell-plan.ts';

/** Parser options shared by mode detection and the transform. */
export const PARSE_OPTIONS: Options = {
  ecmaVersion: 'latest',
  sourceType: 'script',
  allowAwaitOutsideFunction: true,
  // The cell runs inside a wrapper function, where a hashbang would not parse.
  allowHashBang: false,
  // No per-node line/column objects: they doubled parse time and garbage on big cells.
  // Syntax errors carry their own `loc`; other positions come from offsets (getLineInfo).
  locations: false,
};

/** A parsed cell. */
export interface ParsedCell {
  ast: Program;
  /** The cell is a lone `{...}` read as an object literal, not as a block. */
  objectLiteral: boolean;
}

/**
 * Parses a cell as a script that may use top-level `await`. A cell that is one `{...}` and
 * parses as an expression is read as that expression (the DevTools console does the same, so
 * `{a: 1}` is an object, not a block with a label).
 * @param source The cell's text.
 * @returns The program, or the syntax error with its 1-based position.
 */
export function parseCell(source: string): ParsedCell | CellSyntaxError {
  const objectLiteral = parseLoneObjectLiteral(source);
  if (objectLiteral) return { ast: objectLiteral, objectLiteral: true };
  try {
    return { ast: parse(source, PARSE_OPTIONS), objectLiteral: false };
  } catch (error) {
    return toCellSyntaxError(error);
  }
}

/** Converts an acorn parse error to the public shape (message without acorn's ` (l:c)`, 1-based column). */
export function toCellSyntaxError(error: unknown): CellSyntaxError {
  if (!(error instanceof SyntaxError)) throw error;
  const { loc } = error as SyntaxError & { loc?: { line: number; column: number } };
  return {
    mode: 'syntax-error',
    message: error.message.replace(/ \(\d+:\d+\)$/, ''),
    line: loc?.line ?? 1,
    column: (loc?.column ?? 0) + 1,
  };
}

function parseLoneObjectLiteral(source: string): Program | undefined {
  const trimmed = source.trim();
  if (!trimmed.startsWith('{') || !(trimmed.endsWith('}') || trimmed.endsWith('};'))) return undefined;
  const start = source.indexOf('{');
  let expression: Expression;
  try {
    expression = parseExpressionAt(source, start, PARSE_OPTIONS);
  } catch {
    return undefined;
  }
  const rest = source.slice(expression.end);
  const restTrimmed = rest.trim();
  if (restTrimmed !== '' && restTrimmed !== ';') return undefined;
  const statementEnd = restTrimmed === ';' ? expression.end + rest.indexOf(';') + 1 : expression.end;
  const statement: acorn.ExpressionStatement = {
    type: 'ExpressionStatement',
    expression,
    start: expression.start,
    end: statementEnd,
    loc: expression.loc,
  };
  return {
    type: 'Program',
    body: [statement],
    sourceType: 'script',
    start: 0,
    end: source.length,
    loc: expression.loc,
  };
}
