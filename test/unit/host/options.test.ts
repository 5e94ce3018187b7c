/** Misspelt and unknown options: rejected with the name the caller most likely meant. */
import { describe, expect, it } from 'vitest';
import {
  closestName,
  resolvePolicy,
  validateExecuteOptions,
  validateRestoreArguments,
  validateSessionOptions,
} from '../../../lib/host/options';

const SESSION = ['timeoutMs', 'interruptGraceMs', 'persist', 'restore', 'onOutput', 'onInput', 'policy', 'id'];

describe('closestName', () => {
  it.each([
    ['timeout', 'timeoutMs'],
    ['TimeoutMS', 'timeoutMs'],
    ['timeoutms', 'timeoutMs'],
    ['persists', 'persist'],
    ['onoutput', 'onOutput'],
    ['interruptGrace', 'interruptGraceMs'],
    ['restor', 'restore'],
    ['xyz', undefined],
    ['network', undefined],
    ['i', 'id'],
    ['q', undefined],
    ['abortSignal', undefined],
  ] as const)('%s → %s', (name, expected) => {
    expect(closestName(name, SESSION)).toBe(expected);
  });
});

describe('unknown options are a TypeError naming the likely one', () => {
  it.each([
    [
      () => validateSessionOptions({ timeout: 100 }),
      /createSession\(\) has no option "timeout" — did you mean "timeoutMs"\?/,
    ],
    [() => validateSessionOptions({ polcy: 'sandbox' }), /no option "polcy" — did you mean "policy"\?/],
    [() => validateSessionOptions({ foo: 1 }), /createSession\(\) has no option "foo" \(known: language, python, id/],
    [() => validateExecuteOptions({ timeout: 5 }), /execute\(\) has no option "timeout" — did you mean "timeoutMs"\?/],
    [() => validateExecuteOptions({ abortSignal: new AbortController().signal }), /did you mean "signal"\?/],
    [
      () => resolvePolicy({ network: true, storage: false, workers: false, netwrok: false } as never),
      /policy has no option "netwrok" — did you mean "network"\?/,
    ],
  ])('%#', (call, message) => {
    expect(call).toThrow(TypeError);
    expect(call).toThrow(message);
  });

  it.each([
    [{ timeoutMs: 100, persist: false, policy: { network: false, storage: false, workers: false } }],
    [{}],
    [undefined],
  ])('known options pass: %j', (options) => {
    expect(() => validateSessionOptions(options)).not.toThrow();
  });
});

describe('bad values are a TypeError naming the option, the value and what is expected', () => {
  it.each([
    [{ timeoutMs: -1 }, 'timeoutMs must be a positive finite number, got -1'],
    [{ timeoutMs: 0 }, 'timeoutMs must be a positive finite number, got 0'],
    [{ interruptGraceMs: Number.NaN }, 'interruptGraceMs must be a non-negative finite number, got NaN'],
    [{ policy: 'open' }, "policy must be 'sandbox', 'standard', 'unrestricted' or a PolicyConfig, got \"open\""],
    [{ policy: { network: 1, storage: false, workers: false } }, 'policy.network must be a boolean, got 1'],
    [{ restore: true }, 'restore must be used together with an id'],
    [{ persist: 'yes' }, 'persist must be a boolean, got "yes"'],
    [{ id: '' }, 'id must be a non-empty string of at most 200 characters'],
    [{ onOutput: 'log' }, 'onOutput must be a function, got "log"'],
    [{ capabilities: { f: 1 } }, 'capabilities.f must be a function, got 1'],
    [{ cacheSize: 1.5 }, 'cacheSize must be a positive integer, got 1.5'],
    [{ maxOutputBytes: -1 }, 'maxOutputBytes must be a non-negative integer, got -1'],
    [{ language: 'ruby' }, "language must be 'javascript' or 'python', got \"ruby\""],
    [{ python: {} }, "python must be used together with language: 'python'"],
    [null, 'options must be an object, got null'],
  ])('%j', (options, message) => {
    expect(() => validateSessionOptions(options)).toThrow(TypeError);
    expect(() => validateSessionOptions(options)).toThrow(`[sandcell] ${message}`);
  });

  it.each([
    [{ timeoutMs: 'soon' }, 'timeoutMs must be a positive finite number, got "soon"'],
    [{ signal: {} }, 'signal must be an AbortSignal'],
    [{ onOutput: 1 }, 'onOutput must be a function, got 1'],
  ])('execute %j', (options, message) => {
    expect(() => validateExecuteOptions(options)).toThrow(`[sandcell] ${message}`);
  });
});

describe('restore(snapshotId, options)', () => {
  it.each([
    [undefined, undefined, 'merge'],
    ['snap-1', undefined, 'merge'],
    [undefined, {}, 'merge'],
    ['snap-1', { mode: 'merge' }, 'merge'],
    [undefined, { mode: 'replace' }, 'replace'],
  ])('%j %j → %s', (snapshotId, options, mode) => {
    expect(validateRestoreArguments(snapshotId, options)).toBe(mode);
  });

  it.each([
    ['', undefined, 'restore(snapshotId) needs a snapshot id string, got ""'],
    [42, undefined, 'restore(snapshotId) needs a snapshot id string, got 42'],
    [undefined, 'replace', 'restore(snapshotId, options) needs an options object, got "replace"'],
    [undefined, null, 'restore(snapshotId, options) needs an options object, got null'],
    [undefined, { mode: 'overwrite' }, `restore() mode must be 'merge' or 'replace', got "overwrite"`],
  ])('%j %j is a TypeError', (snapshotId, options, message) => {
    expect(() => validateRestoreArguments(snapshotId, options)).toThrow(TypeError);
    expect(() => validateRestoreArguments(snapshotId, options)).toThrow(`[sandcell] ${message}`);
  });
});
