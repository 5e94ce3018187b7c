// The browser suite and the e2e suite in one engine other than Chromium:
//
//   node scripts/test-engine.mjs firefox    (npm run test:firefox)
//   node scripts/test-engine.mjs webkit     (npm run test:webkit)
//
// Every step runs even when an earlier one failed (so one run shows everything that fails),
// then a summary with each step's time; the exit code is non-zero if any step failed.
// Setup steps (the Playwright patch, the build) stop the run when they fail.
import { spawn } from 'node:child_process';

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
    const child = spawn(command[0], command.slice(1), { stdio: 'inherit', env: { ...process.env, ...env } });
    child.once('error', (error) => {
      console.error(`[sandcell] cannot run ${command.join(' ')}: ${error.message}`);
      resolve(127);
    });
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
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
