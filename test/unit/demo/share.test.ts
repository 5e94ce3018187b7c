/** The playground's share links and value summaries: pure logic, checked in Node. */
import { describe, expect, it } from 'vitest';
import { cellsFromHash, languageFromHash, shareURL } from '../../../demo/share';
import { expandable, summary } from '../../../demo/value-tree';

const BASE = 'http://localhost:5173/playground/?x=1#old';

describe('share links', () => {
  it.each([
    ['javascript', ['1 + 1'], /^#cells=[\w-]*$/],
    ['python', ['x = 1', 'x + 1'], /^#cells=[\w-]*&language=python$/],
  ] as const)("a %s tab's cells keep their language", (language, cells, hash) => {
    const url = new URL(shareURL(cells, BASE, language));
    expect(url.hash).toMatch(hash);
    expect(cellsFromHash(url.hash)).toEqual(cells);
    expect(languageFromHash(url.hash)).toBe(language);
  });

  it.each([
    [['1 + 1']],
    [['const s = "héllo → 世界 🎉";', 's.length']],
    [['', '\n\n', '`$' + '{a}` // # & ? %']],
    [[]],
  ])('%j survives the round trip', (cells) => {
    const url = new URL(shareURL(cells, BASE));
    expect(url.origin + url.pathname + url.search).toBe('http://localhost:5173/playground/?x=1');
    expect(url.hash).toMatch(/^#cells=[\w-]*$/);
    expect(cellsFromHash(url.hash)).toEqual(cells);
  });

  it.each([['#old'], [''], ['#cell=abc']])('%j holds no cells', (hash) => {
    expect(cellsFromHash(hash)).toBeNull();
  });

  it.each([
    ['#cells=%%%', /damaged/],
    [`#cells=${Buffer.from('{"a":1}').toString('base64url')}`, /not a list of cells/],
    [`#cells=${Buffer.from('[1, 2]').toString('base64url')}`, /not a list of cells/],
    [`#cells=${Buffer.from([0xff, 0xfe]).toString('base64url')}`, /damaged/],
  ])('%s is refused with a clear error', (hash, message) => {
    expect(() => cellsFromHash(hash)).toThrow(message);
  });
});

describe('value summaries', () => {
  it.each([
    ['text', '"text"'],
    [42, '42'],
    [10n, '10n'],
    [null, 'null'],
    [undefined, 'undefined'],
    [[1, 2, 3], 'Array(3)'],
    [new Map([[1, 2]]), 'Map(1)'],
    [new Set(), 'Set(0)'],
    [new Date(0), '1970-01-01T00:00:00.000Z'],
    [/a+/g, '/a+/g'],
    [{}, '{}'],
    [{ a: 1 }, '{…}'],
    [new Uint8Array(4), 'Uint8Array(4)'],
    ['x'.repeat(100), `"${'x'.repeat(80)}…"`],
  ])('%o → %s', (value, expected) => {
    expect(summary(value)).toBe(expected);
  });

  it.each([
    [{ a: 1 }, true],
    [{}, false],
    [[], false],
    [[0], true],
    [new Map([[1, 2]]), true],
    [new Set(), false],
    [new Date(), false],
    ['text', false],
    [null, false],
  ])('%o expandable: %s', (value, expected) => {
    expect(expandable(value)).toBe(expected);
  });
});
