import { describe, expect, it } from 'vitest';
import { detectMode } from '../../../lib/executor/detect-mode';
import { parseCell } from '../../../lib/executor/parse';
import type { ExecutionMode } from '../../../lib/types';

const cases: Array<[source: string, mode: ExecutionMode]> = [
  // expression
  ['1 + 1', 'expression'],
  ['x', 'expression'],
  ['x = 5', 'expression'],
  ['"use strict"', 'expression'],
  ['f()', 'expression'],
  ['1, 2', 'expression'],
  ['1 + 1;', 'expression'],
  ['1;;', 'expression'],
  ['  // comment\n  foo.bar  ', 'expression'],
  ['async () => { await x }', 'expression'],
  ['(async function () { await 1 })', 'expression'],
  ['[1, 2].map((v) => v * 2)', 'expression'],
  ['`template ` + x', 'expression'],
  ['class {}.name', 'syntax-error'],
  ['(class {})', 'expression'],
  // DevTools lone object literal
  ['{a: 1}', 'expression'],
  ['{a: 1};', 'expression'],
  ['  {a: 1, b: [2]}  ', 'expression'],
  ['{}', 'expression'],
  ['{ a }', 'expression'],
  ['({a: 1}, {b: 2})', 'expression'],
  ['{a: 1}, {b: 2}', 'syntax-error'],
  ['{ let a = 1 }', 'sync'],
  ['{ foo() }', 'sync'],
  ['{ a: 1 }\n{ b: 2 }', 'sync'],
  // sync
  ['let x = 1', 'sync'],
  ['const x = 1; x', 'sync'],
  ['var a = 1\nvar b = 2', 'sync'],
  ['function f() { return 1 }', 'sync'],
  ['class A {}', 'sync'],
  ['for (let i = 0; i < 3; i++) {}', 'sync'],
  ['if (x) { y }', 'sync'],
  ['', 'sync'],
  ['// only a comment', 'sync'],
  ['try { f() } catch { }', 'sync'],
  ['function* g() { yield 1 }', 'sync'],
  // async-def
  ['async function f() { await 1 }', 'async-def'],
  ['const f = async () => 1', 'async-def'],
  ['const o = { async m() {} }; o', 'async-def'],
  ['class A { async m() { await 1 } }', 'async-def'],
  ['function f() { return async () => { await g() } }', 'async-def'],
  ['async function* g() { for await (const x of y) yield x }', 'async-def'],
  // top-level await
  ['await 1', 'top-level-await'],
  ['const x = await fetch(u)', 'top-level-await'],
  ['let [a, b] = await Promise.all(ps)', 'top-level-await'],
  ['for await (const x of gen()) console.log(x)', 'top-level-await'],
  ['if (c) { await sleep(1) }', 'top-level-await'],
  ['{a: await f()}', 'top-level-await'],
  ['async function f() {}\nawait f()', 'top-level-await'],
  ['class A { [await k]() {} }', 'top-level-await'],
  ['class A { x = async () => await 1 }', 'async-def'],
  ['class A { static { } }; await 0', 'top-level-await'],
  ['await prompt("x")', 'top-level-await'],
  ['function f() { await 1 }', 'syntax-error'],
  // blocking
  ['Atomics.wait(i32, 0, 0)', 'blocking'],
  ['const name = input("name?")', 'blocking'],
  ['prompt("ok?")', 'blocking'],
  ['function f() { return prompt("x") }', 'blocking'],
  ['xhr.open("GET", url, false); xhr.send()', 'blocking'],
  ['xhr.open("GET", url, true)', 'expression'],
  ['xhr.open("GET", url)', 'expression'],
  ['Atomics["wait"](i32, 0, 0)', 'blocking'],
  ['async function f() { Atomics.wait(a, 0, 0) }', 'blocking'],
  ['obj.prompt("x")', 'expression'],
  // syntax errors
  ['let x = ', 'syntax-error'],
  ['return 1', 'syntax-error'],
  ['import x from "y"', 'syntax-error'],
  ['export const a = 1', 'syntax-error'],
  ['let let = 1', 'syntax-error'],
  ['{a: 1', 'syntax-error'],
  // A shebang line is a comment, as in a script the console runs.
  ['#!/usr/bin/env node\n1', 'expression'],
  ['using r = res()', 'sync'],
  ['await using r = res()', 'top-level-await'],
  ['async function f() { await using r = res() }', 'async-def'],
  ['switch (1) { case 1: using r = res() }', 'syntax-error'],
];

describe('detectMode', () => {
  it.each(cases)('%j → %s', (source, mode) => {
    expect(detectMode(source)).toBe(mode);
  });
});

describe('detectMode: precedence when a cell has several features', () => {
  // top-level await > blocking > expression > async-def > sync: each row combines two features,
  // and the higher one must win (the mode picks the path, and the higher path also runs the lower).
  const precedence: Array<[source: string, features: string, mode: ExecutionMode]> = [
    ['await input("x")', 'top-level await + blocking call + expression', 'top-level-await'],
    ['async function f() {}\nawait f()', 'top-level await + async function', 'top-level-await'],
    ['input("x")', 'blocking call + expression', 'blocking'],
    ['async function f() { prompt("x") }', 'blocking call + async function', 'blocking'],
    ['const f = async () => 1\nAtomics.wait(a, 0, 0)', 'blocking call + async function + statements', 'blocking'],
    ['async () => 1', 'expression + async function', 'expression'],
    ['async function f() {}\nf', 'async function + statements', 'async-def'],
    ['function f() {}\nf', 'statements only', 'sync'],
  ];

  it.each(precedence)('%j (%s) → %s', (source, _features, mode) => {
    expect(detectMode(source)).toBe(mode);
  });
});

describe('parseCell', () => {
  it('reports acorn messages without the position suffix, 1-based', () => {
    expect(parseCell('let x = 1;\nlet y = ;')).toEqual({
      mode: 'syntax-error',
      message: 'Unexpected token',
      line: 2,
      column: 9,
    });
  });

  it('reads a lone object literal as an expression with its own positions', () => {
    const parsed = parseCell('  {a: 1};');
    if (!('ast' in parsed)) throw new Error('expected a program');
    expect(parsed.objectLiteral).toBe(true);
    const [statement] = parsed.ast.body;
    expect(statement.type).toBe('ExpressionStatement');
    expect(statement.start).toBe(2);
    expect(statement.end).toBe(9);
  });
});
