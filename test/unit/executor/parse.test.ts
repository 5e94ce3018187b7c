/**
 * The cell parser is acorn with two extensions (lib/executor/parse.ts); the binary-operator one
 * must build exactly acorn's tree, only without a stack frame per operator of a chain.
 */
import { parse } from 'acorn';
import { describe, expect, it } from 'vitest';
import { PARSE_OPTIONS, parseCell } from '../../../lib/executor/parse';

const sameTree: string[] = [
  '1 + 2 * 3 - 4 / 5 % 6',
  'a || b && c | d ^ e & f',
  'a ?? b',
  '(a || b) ?? c',
  'a ** b ** c * d',
  '(-a) ** 2 === void 0',
  'x in y instanceof Z',
  'for (var k in o) ;',
  'for (let i = ("a" in o) ? 1 : 0; i < 2; i++) ;',
  'a < b == c != d <= e',
  'a << b >>> c >> d',
  'f(a + b, c * d) + [e - f][0]',
  'a = b + c, d',
  'x => x + 1 * 2',
  '#!/bin/sh\n1 + 2',
];

describe('the cell parser builds acorn’s tree', () => {
  it.each(sameTree)('%j', (source) => {
    const ours = parseCell(source);
    expect('ast' in ours).toBe(true);
    expect(JSON.parse(JSON.stringify((ours as { ast: unknown }).ast))).toEqual(
      JSON.parse(JSON.stringify(parse(source, PARSE_OPTIONS))),
    );
  });

  it.each([
    ['a ?? b || c', 1, 8],
    ['a || b ?? c', 1, 8],
    ['a && b ?? c', 1, 8],
  ])('%j mixes ?? and logical operators: a SyntaxError at %i:%i', (source, line, column) => {
    expect(parseCell(source)).toMatchObject({ mode: 'syntax-error', line, column });
  });

  it('parses a 50,000-term chain (acorn alone runs out of stack)', () => {
    const source = `${'1 + '.repeat(50_000)}1`;
    expect(() => parse(source, PARSE_OPTIONS)).toThrow(/stack/);
    const ours = parseCell(source);
    expect('ast' in ours).toBe(true);
  });
});
