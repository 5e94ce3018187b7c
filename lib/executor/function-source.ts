/**
 * `f.toString()` as the user wrote `f`. A function made by a cell is compiled from the
 * transformed cell, so the engine's own `Function.prototype.toString` returns generated text
 * (interrupt checks, `__sc$s.x` for `x`, a hidden name for a top-level function). Code built
 * from function source (`new Worker(URL.createObjectURL(new Blob([`(${f})()`])))`, a
 * serialiser) needs the user's text. The generated text of a function is found in the code of
 * the cell that made it, its start mapped back through the cell's source map, and the
 * function re-read from the cell's own text there. Only text that shows the transform (it
 * holds `__sc$`) is looked up; functions the transform did not touch are their own source.
 */
import type { Node } from 'acorn';
import { parseExpressionAt } from 'acorn';
import { PARSE_OPTIONS } from './parse.ts';

/** One compiled cell: the generated code, the user's text, and generated → original positions. */
export interface CompiledText {
  code: string;
  source: string;
  /** The original (1-based line, 0-based column) of a generated (1-based line, 0-based column), if mapped. */
  original(line: number, column: number): { line: number; column: number } | undefined;
}

const MARK = '__sc$';
const FUNCTION_EXPRESSIONS = new Set(['FunctionExpression', 'ArrowFunctionExpression', 'ClassExpression']);

export class FunctionSources {
  private readonly found = new Map<string, string>();

  /** @param cells the compiled cells, newest last. */
  constructor(private readonly cells: () => Iterable<CompiledText>) {}

  /** The user's source for a function whose engine-given text is `text` (the text itself when it is the user's). */
  sourceOf(text: string): string {
    if (!text.includes(MARK)) return text;
    const known = this.found.get(text);
    if (known !== undefined) return known;
    let result = text;
    for (const cell of this.cells()) {
      const index = cell.code.indexOf(text);
      if (index < 0) continue;
      const original = originalText(cell, index, text);
      if (original !== undefined) result = original;
      break;
    }
    this.found.set(text, result);
    return result;
  }
}

function originalText(cell: CompiledText, index: number, text: string): string | undefined {
  const start = offsetOf(cell.source, mapPosition(cell, index));
  if (start === undefined) return undefined;
  // A function or class expression (a declaration reads the same as one) starting there.
  try {
    const node = parseExpressionAt(cell.source, start, PARSE_OPTIONS) as Node;
    if (node.start === start && FUNCTION_EXPRESSIONS.has(node.type)) return cell.source.slice(node.start, node.end);
  } catch {
    // A method (`m() {}`, `get g() {}`) is not an expression: fall back to its last character.
  }
  const end = offsetOf(cell.source, mapPosition(cell, index + text.length - 1));
  return end !== undefined && end >= start ? cell.source.slice(start, end + 1) : undefined;
}

function mapPosition(cell: CompiledText, index: number): { line: number; column: number } | undefined {
  let line = 1;
  let lineStart = 0;
  for (let i = cell.code.indexOf('\n'); i >= 0 && i < index; i = cell.code.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return cell.original(line, index - lineStart);
}

function offsetOf(source: string, position: { line: number; column: number } | undefined): number | undefined {
  if (!position) return undefined;
  let offset = 0;
  for (let line = 1; line < position.line; line++) {
    const next = source.indexOf('\n', offset);
    if (next < 0) return undefined;
    offset = next + 1;
  }
  return offset + position.column;
}
