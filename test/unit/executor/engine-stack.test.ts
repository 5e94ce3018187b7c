import { describe, expect, it } from 'vitest';
import { toV8Stack } from '../../../lib/executor/engine-stack';

describe('toV8Stack: every engine’s error.stack in one shape', () => {
  it.each<[title: string, stack: string[], name: string, message: string, expected: string[]]>([
    [
      'V8 is left as it is',
      ['TypeError: x is null', '    at f (sandcell-cell-1.js:2:3)', '    at sandcell-cell-2.js:1:1'],
      'TypeError',
      'x is null',
      ['TypeError: x is null', '    at f (sandcell-cell-1.js:2:3)', '    at sandcell-cell-2.js:1:1'],
    ],
    [
      'SpiderMonkey: header added, named and anonymous frames, async marker',
      [
        'f@sandcell-cell-1.js:2:3',
        'async*@sandcell-cell-2.js:1:1',
        'run@http://localhost:5173/lib/worker/runtime.ts:230:12',
        '',
      ],
      'ReferenceError',
      'nope is not defined',
      [
        'ReferenceError: nope is not defined',
        '    at f (sandcell-cell-1.js:2:3)',
        '    at async sandcell-cell-2.js:1:1',
        '    at run (http://localhost:5173/lib/worker/runtime.ts:230:12)',
      ],
    ],
    [
      'SpiderMonkey eval code without a sourceURL: the last @ and position decide',
      ['@http://localhost:5173/w.js line 20 > eval:1:5'],
      'Error',
      'bad',
      ['Error: bad', '    at http://localhost:5173/w.js line 20 > eval:1:5'],
    ],
    [
      'JavaScriptCore: native frames dropped, empty message gives the bare name',
      ['inner@sandcell-cell-3.js:4:17', 'forEach@[native code]', 'global code@sandcell-cell-3.js:7:1'],
      'Error',
      '',
      ['Error', '    at inner (sandcell-cell-3.js:4:17)', '    at global code (sandcell-cell-3.js:7:1)'],
    ],
    [
      'an object’s own stack text with no frame is kept',
      ['DOMException: nope'],
      'DOMException',
      'nope',
      ['DOMException: nope'],
    ],
  ])('%s', (_title, stack, name, message, expected) => {
    expect(toV8Stack(stack.join('\n'), name, message).split('\n')).toEqual(expected);
  });
});
