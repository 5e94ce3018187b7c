/**
 * Parsing a cell: acorn with the options every stage shares, the DevTools console's
 * lone-object-literal rule (`{a: 1}` is an object, not a block), and acorn's syntax errors
 * turned into the public shape (1-based column, no ` (line:column)` suffix).
 */

import type * as acorn from 'acorn';
import { type Expression, getLineInfo, type Options, Parser, type Program, parseExpressionAt, tokTypes } from 'acorn';
import type { CellSyntaxError } from './cell-plan.ts';
import { v8SyntaxPosition } from './syntax-position.ts';

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

/** The parts of acorn's parser state the extension below reads and calls (acorn/src/expression.js). */
interface ParserInternals {
  currentScope(): { flags: number };
  type: acorn.TokenType & { binop?: number };
  value: unknown;
  start: number;
  startLoc: unknown;
  next(): void;
  parseMaybeUnary(refDestructuringErrors: null, sawUnary: boolean, incDec: boolean, forInit: unknown): acorn.Node;
  parseExprOp(
    left: acorn.Node,
    leftStartPos: number,
    leftStartLoc: unknown,
    minPrec: number,
    forInit: unknown,
  ): acorn.Node;
  buildBinary(
    startPos: number,
    startLoc: unknown,
    left: acorn.Node,
    right: acorn.Node,
    op: unknown,
    logical: boolean,
  ): acorn.Node;
  raiseRecoverable(pos: number, message: string): void;
}

/**
 * Two changes to acorn's script parser:
 * - it refuses `using` at the top level of a script; the console's REPL mode (and a cell,
 *   which runs as a function body) allows it. Only the switch-case ban stays.
 * - its binary-operator parser calls itself once per operator of a chain (`1 + 1 + … + 1`),
 *   so a few thousand terms overflowed the worker's stack where V8 parses them fine. The same
 *   precedence climbing, with the chain's continuation as a loop: the depth is bounded by the
 *   number of precedence levels, not the length of the chain.
 */
const CellParser = Parser.extend(
  (Base) =>
    class extends (Base as unknown as new (...args: unknown[]) => ParserInternals) {
      get allowUsing(): boolean {
        return (this.currentScope().flags & SCOPE_SWITCH) === 0;
      }

      override parseExprOp(
        left: acorn.Node,
        leftStartPos: number,
        leftStartLoc: unknown,
        minPrec: number,
        forInit: unknown,
      ): acorn.Node {
        for (;;) {
          let prec = this.type.binop;
          if (prec == null || (forInit && this.type === tokTypes._in) || prec <= minPrec) return left;
          const logical = this.type === tokTypes.logicalOR || this.type === tokTypes.logicalAND;
          const coalesce = this.type === tokTypes.coalesce;
          // `??` binds like the logical operators, so that mixing them unparenthesised is caught below.
          if (coalesce) prec = (tokTypes.logicalAND as { binop?: number }).binop as number;
          const op = this.value;
          this.next();
          const startPos = this.start;
          const startLoc = this.startLoc;
          const operand = this.parseMaybeUnary(null, false, false, forInit);
          const right = this.parseExprOp(operand, startPos, startLoc, prec, forInit);
          left = this.buildBinary(leftStartPos, leftStartLoc, left, right, op, logical || coalesce);
          if (
            (logical && this.type === tokTypes.coalesce) ||
            (coalesce && (this.type === tokTypes.logicalOR || this.type === tokTypes.logicalAND))
          ) {
            this.raiseRecoverable(
              this.start,
              'Logical expressions and coalesce expressions cannot be mixed. Wrap either by parentheses',
            );
          }
        }
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
    return toCellSyntaxError(error, source);
  }
}

/**
 * Converts an acorn parse error to the public shape: the message without acorn's ` (l:c)`, the
 * position where V8 (the console) places the error (see ./syntax-position.ts), 1-based column.
 */
export function toCellSyntaxError(error: unknown, source: string): CellSyntaxError {
  if (!(error instanceof SyntaxError)) throw error;
  const { loc, pos, raisedAt } = error as SyntaxError & {
    loc?: { line: number; column: number };
    pos?: number;
    raisedAt?: number;
  };
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
  const message = error.message.replace(/ \(\d+:\d+\)$/, '');
  if (typeof pos !== 'number')
    return { mode: 'syntax-error', message, line: loc?.line ?? 1, column: (loc?.column ?? 0) + 1 };
  const placed = v8SyntaxPosition(source, { message, pos, raisedAt: raisedAt ?? pos });
  const { line, column } = getLineInfo(source, placed.pos);
  return { mode: 'syntax-error', message: placed.message, line, column: column + 1 };
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
