// The browser suite and the e2e suite in one engine other than Chromium:
//
//   node scripts/test-engine.mjs firefox    (npm run test:firefox)
//   node scripts/test-engine.mjs webkit     (npm run test:webkit)
//
// Every step runs even when an earlier one failed (so one run shows everything that fails),
// then a summary with each step's time; the exit code is non-zero if any step failed.
// Setup steps (the Playwright patch, the build) stop the run when they fail.
// A step that outlives STEP_LIMIT_MINUTES (`SANDCELL_STEP_LIMIT_MINUTES` overrides) is killed
// with everything it started (its browser, driver and Xvfb) and fails: `npm test` runs these
// steps in CI, where a browser that hangs must cost a failed step, not the whole time budget.
import { spawn } from 'node:child_process';

const STEP_LIMIT_MINUTES = Number(process.env.SANDCELL_STEP_LIMIT_MINUTES ?? 45);

const VITEST = ['npx', 'vitest', 'run', '-c', 'vitest.engines.config.ts', '--project'];

/** @type {Record<string, Array<{ name: string; command: string[]; env?: Record<string, string>; setup?: boolean }>>} */
const PLANS = {
  firefox: [
    { name: 'patch Playwright for BiDi Firefox', command: ['node', 'scripts/patch-playwright-bidi.mjs'], setup: true },
    { name: 'build dist/', command: ['npm', 'run', '--silent', 'build'], setup: true },
    { name: 'browser suite (firefox)', command: [...VITEST, 'firefox'] },
    { name: 'e2e (firefox)', command: ['node', 'e2e/run.mjs'], env: { E2E_BROWSER: 'firefox' } },
  ],
  webkit: [
    { name: 'build dist/', command: ['npm', 'run', '--silent', 'build'], setup: true },
    { name: 'browser suite (webkit)', command: [...VITEST, 'webkit'] },
    {
      // Debian's WebKitGTK ships without SharedArrayBuffer; this JSC option turns it on, so
      // the interrupt suite also runs on the cooperative (flag) path there.
      name: 'interrupt suite (webkit, JSC_useSharedArrayBuffer=1)',
      command: [...VITEST, 'webkit', 'test/browser/interrupts.test.ts'],
      env: { JSC_useSharedArrayBuffer: '1' },
    },
    { name: 'e2e (webkit)', command: ['node', 'e2e/run.mjs'], env: { E2E_BROWSER: 'webkit' } },
  ],
};

const engine = process.argv[2] ?? '';
const plan = PLANS[engine];
if (!plan) {
  console.error(`[sandcell] usage: node scripts/test-engine.mjs ${Object.keys(PLANS).join('|')}`);
  process.exit(2);
}

/**
 * @param {string[]} command
 * @param {Record<string, string>} env
 * @returns {Promise<number>}
 */
function runStep(command, env) {
  return new Promise((resolve) => {
    // Its own process group, so the limit can kill the browser and driver it starts too.
    const child = spawn(command[0], command.slice(1), {
      stdio: 'inherit',
      env: { ...process.env, ...env },
      detached: true,
    });
    if (child.pid !== undefined) running.add(child.pid);
    const limit = setTimeout(() => {
      console.error(`[sandcell] ${command.join(' ')} ran over ${STEP_LIMIT_MINUTES} min: killed`);
      killGroup(child.pid);
    }, STEP_LIMIT_MINUTES * 60_000);
    child.once('error', (error) => {
      clearTimeout(limit);
      console.error(`[sandcell] cannot run ${command.join(' ')}: ${error.message}`);
      resolve(127);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(limit);
      // Whatever the step left running (a browser that did not close) goes with it.
      killGroup(child.pid);
      if (child.pid !== undefined) running.delete(child.pid);
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

/** @param {number | undefined} pid */
function killGroup(pid) {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // The group is already gone.
  }
}

/** The process groups of the steps running now. @type {Set<number>} */
const running = new Set();
// Ctrl-C of the whole run stops the step's group too (it is not in our process group).
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.once(signal, () => {
    for (const pid of running) killGroup(pid);
    process.exit(130);
  });
}

const results = [];
const started = performance.now();
for (const step of plan) {
  console.log(`\n[sandcell] ${engine}: ${step.name}`);
  const stepStarted = performance.now();
  const code = await runStep(step.command, step.env ?? {});
  results.push({ name: step.name, code, seconds: (performance.now() - stepStarted) / 1000 });
  if (code !== 0 && step.setup) break;
}

console.log(`\n[sandcell] ${engine} summary:`);
for (const { name, code, seconds } of results) {
  console.log(`  ${code === 0 ? 'ok  ' : 'FAIL'} ${name} (${seconds.toFixed(0)} s)`);
}
console.log(`  total ${((performance.now() - started) / 1000).toFixed(0)} s`);
process.exitCode = results.length === plan.length && results.every((r) => r.code === 0) ? 0 : 1;
