/**
 * Checks of what apps pass in: every bad option is a TypeError that names the option,
 * quotes the value and says what is expected.
 */
import { describeValue } from '../namespace/describe-value.ts';
import type { ExecuteOptions, PolicyConfig, RestoreOptions, SessionOptions } from '../types.ts';
import { classifyPackage } from './python-packages.ts';

const POLICIES: Record<string, PolicyConfig> = {
  sandbox: { network: false, storage: false, workers: false },
  standard: { network: true, storage: false, workers: false },
  unrestricted: { network: true, storage: true, workers: true },
};

function fail(option: string, expected: string, value: unknown): never {
  throw new TypeError(`[sandcell] ${option} must be ${expected}, got ${describeValue(value)}`);
}

/** Every option `createSession()` knows; the `satisfies` below fails the build when one is missing. */
const SESSION_OPTION_NAMES = [
  'language',
  'python',
  'id',
  'policy',
  'timeoutMs',
  'interruptGraceMs',
  'persist',
  'restore',
  'onOutput',
  'onInput',
  'capabilities',
  'cacheSize',
  'maxOutputBytes',
  'frameURL',
] as const satisfies ReadonlyArray<keyof SessionOptions>;
const EXECUTE_OPTION_NAMES = ['timeoutMs', 'signal', 'onOutput'] as const satisfies ReadonlyArray<keyof ExecuteOptions>;
const POLICY_FLAG_NAMES = ['network', 'storage', 'workers'] as const satisfies ReadonlyArray<keyof PolicyConfig>;
// The reverse direction: a name added to the public type but not to the list is a type error here.
type Unlisted<T, L extends ReadonlyArray<keyof T>> = Exclude<keyof T, L[number]>;
const everyOptionListed: [
  Unlisted<SessionOptions, typeof SESSION_OPTION_NAMES>,
  Unlisted<ExecuteOptions, typeof EXECUTE_OPTION_NAMES>,
  Unlisted<PolicyConfig, typeof POLICY_FLAG_NAMES>,
] extends [never, never, never]
  ? true
  : false = true;
void everyOptionListed;

/**
 * The candidate a misspelt name most likely meant: the one within a few edits (Levenshtein
 * distance, case-insensitive), else one that contains it or that it contains.
 * @returns the candidate, or undefined when none is close.
 */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(name.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best !== undefined || lower.length < 3) return best;
  return candidates.find((c) => c.toLowerCase().includes(lower) || lower.includes(c.toLowerCase()));
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** A misspelt option is silently ignored in plain JavaScript: reject it and name the likely one. */
function rejectUnknown(what: string, options: object, known: readonly string[]): void {
  for (const name of Object.keys(options)) {
    if (known.includes(name)) continue;
    const near = closestName(name, known);
    throw new TypeError(
      `[sandcell] ${what} has no option ${JSON.stringify(name)}${near ? ` — did you mean ${JSON.stringify(near)}?` : ''} (known: ${known.join(', ')})`,
    );
  }
}

function checkDuration(option: string, value: unknown, allowZero = false): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    fail(option, allowZero ? 'a non-negative finite number' : 'a positive finite number', value);
  }
}

/** Resolves a policy name or config into the three flags; throws TypeError for anything else. */
export function resolvePolicy(policy: SessionOptions['policy']): PolicyConfig {
  if (policy === undefined) return { ...POLICIES.sandbox };
  if (typeof policy === 'string') {
    const known = POLICIES[policy];
    if (!known || !Object.hasOwn(POLICIES, policy))
      fail('policy', "'sandbox', 'standard', 'unrestricted' or a PolicyConfig", policy);
    return { ...known };
  }
  if (typeof policy !== 'object' || policy === null)
    fail('policy', "'sandbox', 'standard', 'unrestricted' or a PolicyConfig", policy);
  const config = policy as unknown as Record<string, unknown>;
  rejectUnknown('policy', config, POLICY_FLAG_NAMES);
  for (const key of POLICY_FLAG_NAMES) {
    if (typeof config[key] !== 'boolean') fail(`policy.${key}`, 'a boolean', config[key]);
  }
  return { network: config.network as boolean, storage: config.storage as boolean, workers: config.workers as boolean };
}

/** Validates `createSession` options (throws TypeError naming the option and value). */
export function validateSessionOptions(options: unknown): SessionOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) fail('options', 'an object', options);
  const o = options as SessionOptions;
  rejectUnknown('createSession()', o, SESSION_OPTION_NAMES);
  if (o.id !== undefined && (typeof o.id !== 'string' || o.id.length === 0 || o.id.length > 200)) {
    fail('id', 'a non-empty string of at most 200 characters', o.id);
  }
  resolvePolicy(o.policy);
  validateLanguage(o);
  checkDuration('timeoutMs', o.timeoutMs);
  checkDuration('interruptGraceMs', o.interruptGraceMs, true);
  for (const flag of ['persist', 'restore'] as const) {
    if (o[flag] !== undefined && typeof o[flag] !== 'boolean') fail(flag, 'a boolean', o[flag]);
  }
  if (o.restore && o.id === undefined)
    fail('restore', 'used together with an id (snapshots are found by session id)', o.restore);
  for (const fn of ['onOutput', 'onInput'] as const) {
    if (o[fn] !== undefined && typeof o[fn] !== 'function') fail(fn, 'a function', o[fn]);
  }
  if (o.capabilities !== undefined) {
    if (typeof o.capabilities !== 'object' || o.capabilities === null)
      fail('capabilities', 'an object of functions', o.capabilities);
    for (const name of Object.keys(o.capabilities)) {
      if (typeof o.capabilities[name] !== 'function') fail(`capabilities.${name}`, 'a function', o.capabilities[name]);
    }
  }
  if (o.cacheSize !== undefined && (!Number.isInteger(o.cacheSize) || o.cacheSize < 1)) {
    fail('cacheSize', 'a positive integer', o.cacheSize);
  }
  if (o.maxOutputBytes !== undefined && (!Number.isInteger(o.maxOutputBytes) || o.maxOutputBytes < 0)) {
    fail('maxOutputBytes', 'a non-negative integer', o.maxOutputBytes);
  }
  if (o.frameURL !== undefined) {
    if (typeof o.frameURL !== 'string' || o.frameURL === '') fail('frameURL', 'a URL string', o.frameURL);
    try {
      new URL(o.frameURL, typeof location === 'undefined' ? undefined : location.href);
    } catch {
      fail('frameURL', 'a URL the page can resolve', o.frameURL);
    }
  }
  return o;
}

/** `language` and `python` (throws TypeError naming the option and value). */
function validateLanguage(o: SessionOptions): void {
  if (o.language !== undefined && o.language !== 'javascript' && o.language !== 'python')
    fail('language', "'javascript' or 'python'", o.language);
  if (o.python === undefined) return;
  if (o.language !== 'python') fail('python', "used together with language: 'python'", o.python);
  if (typeof o.python !== 'object' || o.python === null) fail('python', 'an object', o.python);
  const { indexURL, packages, lockFileURL } = o.python;
  if (indexURL !== undefined) {
    if (typeof indexURL !== 'string' || indexURL === '') fail('python.indexURL', 'a URL string', indexURL);
    try {
      new URL(indexURL, typeof location === 'undefined' ? undefined : location.href);
    } catch {
      fail('python.indexURL', 'a URL the page can resolve', indexURL);
    }
  }
  if (packages !== undefined) {
    if (!Array.isArray(packages)) fail('python.packages', 'an array of package names or wheel URLs', packages);
    const base = typeof location === 'undefined' ? undefined : location.href;
    for (const entry of packages) classifyPackage(entry, base);
  }
  if (lockFileURL !== undefined) {
    if (typeof lockFileURL !== 'string' || lockFileURL === '') fail('python.lockFileURL', 'a URL string', lockFileURL);
    try {
      new URL(lockFileURL, typeof location === 'undefined' ? undefined : location.href);
    } catch {
      fail('python.lockFileURL', 'a URL the page can resolve', lockFileURL);
    }
  }
}

/** Validates `execute` options (throws TypeError naming the option and value). */
export function validateExecuteOptions(options: unknown): ExecuteOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) fail('execute options', 'an object', options);
  const o = options as ExecuteOptions;
  rejectUnknown('execute()', o, EXECUTE_OPTION_NAMES);
  checkDuration('timeoutMs', o.timeoutMs);
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) fail('signal', 'an AbortSignal', o.signal);
  if (o.onOutput !== undefined && typeof o.onOutput !== 'function') fail('onOutput', 'a function', o.onOutput);
  return o;
}

/**
 * Validates `restore(snapshotId, options)` (throws TypeError naming what was wrong).
 * @returns the restore mode: `'merge'` unless `{ mode: 'replace' }`.
 */
export function validateRestoreArguments(snapshotId: unknown, options: unknown): 'merge' | 'replace' {
  if (snapshotId !== undefined && (typeof snapshotId !== 'string' || snapshotId === '')) {
    throw new TypeError(`[sandcell] restore(snapshotId) needs a snapshot id string, got ${describeValue(snapshotId)}`);
  }
  if (options !== undefined && (typeof options !== 'object' || options === null))
    throw new TypeError(
      `[sandcell] restore(snapshotId, options) needs an options object, got ${describeValue(options)}`,
    );
  const mode = (options as RestoreOptions | undefined)?.mode ?? 'merge';
  if (mode !== 'merge' && mode !== 'replace')
    throw new TypeError(`[sandcell] restore() mode must be 'merge' or 'replace', got ${describeValue(mode)}`);
  return mode;
}

// ── what a worker is made of ──────────────────────────────────────────────────────

/** Options a running worker can take on without a restart: a pooled session adopts them from `create()`. */
export const HOST_SIDE_OPTIONS = [
  'id',
  'onOutput',
  'onInput',
  'timeoutMs',
  'interruptGraceMs',
  'persist',
  'restore',
  'capabilities',
] as const satisfies ReadonlyArray<keyof SessionOptions>;

export type HostSideOptions = Pick<SessionOptions, (typeof HOST_SIDE_OPTIONS)[number]>;

/**
 * What a session's worker is started with, as a comparable string: the policy, the
 * capability names, the compiled-cell cache size, the output cap and the frame document. A pooled session can
 * be handed to a `create()` only when this matches.
 */
export function workerShape(options: SessionOptions): string {
  const policy = resolvePolicy(options.policy);
  return JSON.stringify([
    options.language ?? 'javascript',
    options.python?.indexURL ?? null,
    policy.network,
    policy.storage,
    policy.workers,
    Object.keys(options.capabilities ?? {}).sort(),
    options.cacheSize ?? null,
    options.maxOutputBytes ?? null,
    options.frameURL ?? null,
  ]);
}

/** The host-side options set in `options`. */
export function hostSideOptions(options: SessionOptions): HostSideOptions {
  const picked: HostSideOptions = {};
  for (const key of HOST_SIDE_OPTIONS) {
    if (options[key] !== undefined) (picked as Record<string, unknown>)[key] = options[key];
  }
  return picked;
}
