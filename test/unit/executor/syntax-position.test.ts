/**
 * Syntax errors are placed where V8 (the DevTools console) places them, which for these
 * cells is not where acorn does. The expected positions are the console's, as the
 * differential test (test/differential/corpus) recorded them.
 */
import { describe, expect, it } from 'vitest';
import { parseCell } from '../../../lib/executor/parse';

const cases: Array<[source: string, line: number, column: number]> = [
  ['const k', 1, 7],
  ['const c;', 1, 7],
  ['const f = 1; function f() {}', 1, 14],
  ['new.target', 1, 5],
  ['(() => new.target)()', 1, 12],
  ['import.meta', 1, 8],
  ["'use strict'; var dd = 1; delete dd", 1, 34],
  ['function notAsync() { await 1 }', 1, 23],
  ['function notAsync() {\n  await 1 }', 2, 3],
  ['const bad = () => await 1', 1, 25],
  ['`abc', 1, 5],
  ['/abc', 1, 1],
  ['/a/gg', 1, 1],
  ['/(/', 1, 1],
  ['"\\u{110000}"', 1, 2],
  ['`\\01`', 1, 3],
  ['while (false) { break nowhere }', 1, 23],
  ['class P { m() { return this.#missing } }', 1, 28],
  ['const f = ()\n=> 1', 2, 1],
  ['const f = ()\n  => 1', 2, 3],
  ['const constant', 1, 7],
  ['import()', 1, 7],
  [' #!/not/at/start\n 1', 1, 2],
  ['1\n#!/usr/bin/env node', 2, 1],
  // Where acorn and V8 agree, acorn's place stays.
  ['let x; let x', 1, 12],
  ['1 +', 1, 4],
  ['if (', 1, 5],
];

describe('syntax errors are placed where the console places them', () => {
  it.each(cases)('%j at %i:%i', (source, line, column) => {
    const result = parseCell(source);
    expect('mode' in result && result.mode === 'syntax-error').toBe(true);
    expect(result).toMatchObject({ line, column });
  });

  it('says what V8 says where acorn says only "Unexpected token"', () => {
    expect(parseCell('const k')).toMatchObject({ message: 'Missing initializer in const declaration' });
    expect(parseCell('function f() { await 1 }')).toMatchObject({
      message: 'await is only valid in async functions and the top level bodies of modules',
    });
    expect(parseCell('let = ;')).toMatchObject({ message: 'Unexpected token' });
  });
});
