/**
 * The smallest test runner that does the job: `test(name, fn)` registers, `run()` runs in
 * order with a per-test time limit, prints one line per test and the summary line
 * `N passed, M failed`, and resolves to the number of failures.
 */

/** @type {Array<{ name: string; fn: () => Promise<void>; timeoutMs: number }>} */
const tests = [];

/**
 * @param {string} name
 * @param {() => Promise<void>} fn
 * @param {{ timeoutMs?: number }} [options]
 */
export function test(name, fn, options = {}) {
  tests.push({ name, fn, timeoutMs: options.timeoutMs ?? 20_000 });
}

/** @param {{ only?: string }} [options] `only`: run just the tests whose name contains it. */
export async function run(options = {}) {
  const selected = options.only ? tests.filter((t) => t.name.includes(options.only)) : tests;
  let passed = 0;
  let failed = 0;
  for (const { name, fn, timeoutMs } of selected) {
    const started = performance.now();
    let timer;
    try {
      await Promise.race([
        fn(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      passed++;
      console.log(`  ✓ ${name} (${Math.round(performance.now() - started)} ms)`);
    } catch (error) {
      failed++;
      console.log(`  ✗ ${name} (${Math.round(performance.now() - started)} ms)`);
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      console.log(text.replace(/^/gm, '      '));
    } finally {
      clearTimeout(timer);
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed;
}
