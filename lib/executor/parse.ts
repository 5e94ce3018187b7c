/**
 * Parsing a cell: acorn with the options every stage shares, the DevTools console's
 * lone-object-literal rule (`{a: 1}` is an object, not a block), and acorn's syntax errors
 * turned into the public shape (1-based column, no ` (line:column)` suffix).
 */

import type * as acorn from 'acorn';
import { type Expression, type Options, Parser, type Program, parseExpressionAt } from 'acorn';
import type { CellSyntaxError } from './cell-plan.ts';

/** Parser options shared by mode detection and the transform. */
export const PARSE_OPTIONS: Options = {
  ecmaVersion: 'latest',
  sourceType: 'script',
  allowAwaitOutsideFunction: true,
  // A `#!` first line is a comment in a script (the transform turns it into one).
  allowHashBang: true,
  // No per-node line/column objects: they doubled parse time and garbage on big cells.
  // Syntax errors carry their own `loc`; other positions come from offsets (getLineInfo).
  locations: false,
};

/**
 * Acorn refuses `using` at the top level of a script; the console's REPL mode (and a cell,
 * which runs as a function body) allows it. Only the switch-case ban stays.
 */
const CellParser = Parser.extend(
  (Base) =>
    class extends (Base as unknown as new (...args: unknown[]) => { currentScope(): { flags: number } }) {
      get allowUsing(): boolean {
        return (this.currentScope().flags & SCOPE_SWITCH) === 0;
      }
    } as unknown as typeof Parser,
);
/** acorn's scope flag for a switch statement's body (acorn/src/scopeflags.js). */
const SCOPE_SWITCH = 1024;

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
 * @param objectLiteralRule Apply the lone-object-literal rule (not for `eval` code, which has none).
 * @returns The program, or the syntax error with its 1-based position.
 */
export function parseCell(source: string, objectLiteralRule = true): ParsedCell | CellSyntaxError {
  const objectLiteral = objectLiteralRule ? parseLoneObjectLiteral(source) : undefined;
  if (objectLiteral) return { ast: objectLiteral, objectLiteral: true };
  try {
    return { ast: CellParser.parse(source, PARSE_OPTIONS) as Program, objectLiteral: false };
  } catch (error) {
    return toCellSyntaxError(error);
  }
}

/** Converts an acorn parse error to the public shape (message without acorn's ` (l:c)`, 1-based column). */
export function toCellSyntaxError(error: unknown): CellSyntaxError {
  if (!(error instanceof SyntaxError)) throw error;
  const { loc } = error as SyntaxError & { loc?: { line: number; column: number } };
  // acorn's word for a stack overflow while parsing: not a syntax error in the cell.
  if (error.message.startsWith('Not enough stack space')) {
    return {
      mode: 'syntax-error',
      name: 'RangeError',
      message: '[sandcell] the cell is nested too deeply to parse (Maximum call stack size exceeded) — split it up',
      line: loc?.line ?? 1,
      column: (loc?.column ?? 0) + 1,
    };
  }
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
  // Only an object literal: `{} + {}` is a block and a unary plus, as in the console.
  if (expression.type !== 'ObjectExpression') return undefined;
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
