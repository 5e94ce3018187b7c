import { describe, expect, test } from 'vitest';
import { framesOf } from '../../../demo/stack-trace.ts';

describe('framesOf: the frames of an error stack without what repeats the error line', () => {
  test.each([
    [
      'a JavaScript stack',
      'TypeError: x is null\n    at f (cell-1:3:12)\n    at cell-2:1:1',
      '    at f (cell-1:3:12)\n    at cell-2:1:1',
    ],
    ['a JavaScript error without frames', 'TypeError: x is null', ''],
    [
      'a Python traceback',
      'Traceback (most recent call last):\n  File "<cell-4>", line 2, in <module>\n    average([])\nZeroDivisionError: division by zero',
      'Traceback (most recent call last):\n  File "<cell-4>", line 2, in <module>\n    average([])',
    ],
    [
      'a Python traceback whose message has several lines',
      'Traceback (most recent call last):\n  File "<cell-1>", line 1, in <module>\nValueError: one\ntwo',
      'Traceback (most recent call last):\n  File "<cell-1>", line 1, in <module>',
    ],
    [
      'a Python syntax error (no traceback)',
      '  File "<cell-1>", line 1\n    x =\n       ^\nSyntaxError: invalid syntax',
      '',
    ],
  ])('%s', (_name, stack, expected) => {
    expect(framesOf(stack)).toBe(expected);
  });
});
