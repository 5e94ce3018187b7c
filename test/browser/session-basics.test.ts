import { describe, expect, it } from 'vitest';
import { collectOutput, openSession } from './helpers';

describe('session basics', () => {
  it('runs an expression cell', async () => {
    const s = await openSession();
    const r = await s.execute('1 + 1');
    expect(r).toMatchObject({ status: 'ok', value: 2, repr: '2', mode: 'expression' });
  });
  it('keeps variables between cells', async () => {
    const out = collectOutput();
    const s = await openSession({ onOutput: out.onOutput });
    await s.execute('let x = 40; const y = 2; function add(a, b) { return a + b }');
    const r = await s.execute('console.log("hi", {a: 1}); add(x, y)');
    expect(r.value).toBe(42);
    expect(out.text('stdout')).toBe('hi { a: 1 }\n');
  });
});
