/**
 * `await using session = await createSession()`, in a file of its own: an engine without
 * the syntax cannot even load a file that contains it, and must not lose the rest of the
 * REPL suite for it. WebKit (JSC 2.50, WebKitGTK) has neither the syntax nor
 * `Symbol.asyncDispose`, so vitest.engines.config.ts leaves this file out there.
 */
import { expect, it } from 'vitest';
import { openSession } from './helpers';

it('closes a session declared with await using when its block ends', async () => {
  let ref: { state: string } | undefined;
  {
    await using s = await openSession();
    ref = s;
    expect((await s.execute('1')).value).toBe(1);
  }
  expect(ref?.state).toBe('closed');
});
