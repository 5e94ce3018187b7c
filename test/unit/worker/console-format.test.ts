import { describe, expect, it } from 'vitest';
import { createConsole, formatArgs, plainText } from '../../../lib/worker/io/console-capture';

describe('formatArgs', () => {
  it.each<[unknown[], string]>([
    [[], ''],
    [['a', 1, true, null, undefined], 'a 1 true null undefined'],
    [['%s=%d', 'x', 42.9], 'x=42'],
    [['%i', -3.7], '-3'],
    [['%f', '1.5'], '1.5'],
    [['100%%'], '100%'],
    [['%o', { a: 1 }], '{ a: 1 }'],
    [['%c styled', 'color: red'], ' styled'],
    [['%s and %s', 'one'], 'one and %s'],
    [[{ a: [1, 2] }, 'x'], '{ a: [ 1, 2 ] } x'],
    [[10n, -0], '10n -0'],
  ])('case %#', (args, expected) => {
    expect(formatArgs(args)).toBe(expected);
  });
});

describe('plainText (the hot path) agrees with formatArgs', () => {
  it.each<[unknown[]]>([
    [['a', 1, true]],
    [[null, undefined, -0, 10n, 1.5]],
    [[]],
    [['x y', 'z']],
    [[{}]],
    [[Symbol('s')]],
    [['a', [1]]],
    [['ok', 3, { n: 1 }, [1, 2]]],
    [[{ 'a b': "it's", n: [null, { deep: '\n\t\u0001' }] }]],
  ])('case %#', (args) => {
    expect(plainText(args)).toBe(formatArgs(args));
  });
  it.each<[unknown[]]>([
    [['%s', 'x']],
    [[new Map()]],
    [[new (class Point {})()]],
    [
      [
        {
          get g() {
            return 1;
          },
        },
      ],
    ],
    [[[[[[1]]]]]],
    [[() => 1]],
  ])('case %# takes the slow path', (args) => {
    expect(plainText(args)).toBeUndefined();
  });
});

describe('createConsole', () => {
  function capture() {
    const out: Array<[string, string]> = [];
    let t = 0;
    const c = createConsole({ stream: (s, text) => out.push([s, text]) }, () => (t += 1.5));
    return { c, out, text: () => out.map(([, text]) => text).join('') };
  }
  it('table, dir, group, count, time and assert', () => {
    const { c, out, text } = capture();
    c.table({ r1: { a: 1 }, r2: 'v' });
    c.dir([1, 'a']);
    c.group('G');
    c.log('in');
    c.groupEnd();
    c.count('k');
    c.count('k');
    c.time();
    c.timeEnd();
    c.assert(0, 'bad');
    expect(text()).toBe(
      [
        '┌─────────┬───┬────────┐',
        '│ (index) │ a │ Values │',
        '├─────────┼───┼────────┤',
        '│ r1      │ 1 │        │',
        '│ r2      │   │ v      │',
        '└─────────┴───┴────────┘',
        "[ 1, 'a' ]",
        'G',
        '  in',
        'k: 1',
        'k: 2',
        'default: 1.500 ms',
        'Assertion failed: bad',
        '',
      ].join('\n'),
    );
    expect(out[out.length - 1][0]).toBe('stderr');
  });
});
