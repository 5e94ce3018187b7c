// `npm test`: every stage runs, in order, even after one fails, so a failure never hides the
// others (a chain of `&&` stops at the first). Prints a summary and exits non-zero if any
// stage failed. A stage is an npm script; extra arguments name the stages to run instead
// (`npm run test:chromium` is every stage but Firefox's and WebKit's).
import { spawnSync } from 'node:child_process';

// Chromium's suites first (the quick feedback), then the same suites in Firefox, then in
// WebKit (the slowest: without shared memory every Python stop restarts Pyodide).
const STAGES = [
  'typecheck',
  'lint',
  'test:unit',
  'test:browser',
  'test:e2e',
  'test:bench',
  'test:firefox',
  'test:webkit',
];

const chosen = process.argv.slice(2);
const unknown = chosen.filter((stage) => !STAGES.includes(stage));
if (unknown.length > 0) {
  console.error(`[sandcell] unknown stage(s) ${unknown.join(', ')} — choose from ${STAGES.join(', ')}`);
  process.exit(2);
}
const stages = chosen.length > 0 ? chosen : STAGES;

const results = [];
for (const stage of stages) {
  console.log(`\n── npm run ${stage} ${'─'.repeat(Math.max(0, 60 - stage.length))}`);
  const started = Date.now();
  const run = spawnSync('npm', ['run', stage], { stdio: 'inherit', shell: process.platform === 'win32' });
  const seconds = (Date.now() - started) / 1000;
  const ok = run.status === 0;
  const why = ok
    ? ''
    : run.error
      ? ` (${run.error.message})`
      : run.signal
        ? ` (killed by ${run.signal})`
        : ` (exit ${run.status})`;
  results.push({ stage, ok, seconds, why });
}

console.log('\n── summary ─────────────────────────────────────────────────────────');
for (const { stage, ok, seconds, why } of results) {
  console.log(`${ok ? 'pass' : 'FAIL'}  ${stage.padEnd(14)} ${seconds.toFixed(0).padStart(5)} s${why}`);
}
const failed = results.filter((r) => !r.ok).map((r) => r.stage);
if (failed.length > 0) {
  console.log(`\n${failed.length} of ${results.length} stage(s) failed: ${failed.join(', ')}`);
  process.exit(1);
}
console.log(`\nall ${results.length} stages passed`);
