import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import { describe, expect, it } from 'vitest';
import { type CompiledText, FunctionSources } from '../../../lib/executor/function-source';
import { ReplHarness } from './repl-harness';

/** Runs `cell`, then `read` (an expression giving a function), and returns [engine text, user text]. */
async function sourceOf(cell: string, read: string): Promise<[string, string]> {
  const harness = new ReplHarness();
  const texts: CompiledText[] = [];
  const track = async (source: string) => {
    await harness.run(source);
    const plan = harness.lastPlan;
    if (!plan) throw new Error('no plan');
    const trace = new TraceMap(plan.map as ConstructorParameters<typeof TraceMap>[0]);
    texts.unshift({
      code: plan.code,
      source,
      original: (line, column) => {
        const p = originalPositionFor(trace, { line, column });
        return p.line == null || p.column == null ? undefined : { line: p.line, column: p.column };
      },
    });
  };
  await track(cell);
  const fn = (await harness.run(read)) as () => void;
  const engine = Function.prototype.toString.call(fn);
  return [engine, new FunctionSources(() => texts).sourceOf(engine)];
}

describe('FunctionSources: f.toString() is what the user wrote', () => {
  const cases: Array<[cell: string, read: string, expected: string]> = [
    ['function f(a) {\n  for (;;) { if (a) return x }\n}', 'f', 'function f(a) {\n  for (;;) { if (a) return x }\n}'],
    ['let g = (n) => n.map((v) => helper(v))', 'g', '(n) => n.map((v) => helper(v))'],
    ['const o = { m() { while (later) {} } }', 'o.m', 'm() { while (later) {} }'],
    ['class K { run() { for (const x of xs) use(x) } }', 'K', 'class K { run() { for (const x of xs) use(x) } }'],
    ['async function* gen() { yield await other() }', 'gen', 'async function* gen() { yield await other() }'],
    ['let plain = function (a, b) { return a + b }', 'plain', 'function (a, b) { return a + b }'],
  ];
  it.each(cases)('%j', async (cell, read, expected) => {
    const [engine, user] = await sourceOf(cell, read);
    expect(user).toBe(expected);
    // The untouched case is not looked up at all.
    if (!engine.includes('__sc$')) expect(engine).toBe(expected);
  });
});
