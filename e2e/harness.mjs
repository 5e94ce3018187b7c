/**
 * The smallest test runner that does the job: `test(name, fn)` registers, `run()` runs them
 * with a per-test time limit, prints one line per test and the summary line
 * `N passed, M failed` (`, K skipped` after it when some could not run in this browser),
 * and resolves to the number of failures.
 */

/** @type {Array<{ name: string; fn: () => Promise<void>; timeoutMs: number }>} */
const tests = [];
/** @type {Array<{ name: string; reason: string }>} */
const skipped = [];

/**
 * @param {string} name
 * @param {() => Promise<void>} fn
 * @param {{ timeoutMs?: number }} [options]
 */
export function test(name, fn, options = {}) {
  tests.push({ name, fn, timeoutMs: options.timeoutMs ?? 30_000 });
}

/**
 * Registers a test that cannot run in this browser, and why; it is listed as skipped.
 * @param {string} name
 * @param {string} reason
 */
export function skip(name, reason) {
  skipped.push({ name, reason });
}

/**
 * Runs the registered tests, `concurrency` at a time (each test opens its own browser
 * context, so they do not share storage), and prints each as it finishes.
 * @param {{ only?: string; concurrency?: number }} [options] `only`: just the tests whose name contains it
 * @returns {Promise<number>} how many failed
 */
export async function run(options = {}) {
  const selected = options.only ? tests.filter((t) => t.name.includes(options.only ?? '')) : tests;
  let passed = 0;
  let failed = 0;
  let next = 0;
  async function worker() {
    while (next < selected.length) {
      const { name, fn, timeoutMs } = selected[next++];
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
  }
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 1) }, worker));
  const skips = options.only ? skipped.filter((t) => t.name.includes(options.only ?? '')) : skipped;
  for (const { name, reason } of skips) console.log(`  - ${name} (skipped: ${reason})`);
  console.log(`${passed} passed, ${failed} failed${skips.length ? `, ${skips.length} skipped` : ''}`);
  return failed;
}
