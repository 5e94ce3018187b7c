/** Misspelt and unknown options: rejected with the name the caller most likely meant. */
import { describe, expect, it } from 'vitest';
import { closestName, resolvePolicy, validateExecuteOptions, validateSessionOptions } from '../../../lib/host/options';

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
