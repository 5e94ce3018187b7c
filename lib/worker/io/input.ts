/**
 * `input(prompt)` in a cell. On a cross-origin-isolated page it is synchronous: the worker
 * blocks in Atomics.wait until the host writes the answer into the shared buffer (an
 * interrupt wakes it too). Elsewhere it returns a promise of the answer.
 */
import type { InterruptGate } from '../../executor/interrupt.ts';
import {
  AtomicsCompareExchange,
  AtomicsLoad,
  AtomicsStore,
  AtomicsWait,
  ErrorCtor,
  ObjectDefineProperty,
  ReflectApply,
  StringCtor,
  TypeErrorCtor,
  Uint8ArrayCtor,
} from '../../primordials.ts';
import { ControlSlot, InputState } from '../../protocol.ts';
import type { HostCalls } from './host-calls.ts';

interface InputDeps {
  control?: Int32Array;
  inputBuffer?: SharedArrayBuffer;
  hasInput: boolean;
  gate: InterruptGate;
  hostCalls: HostCalls;
  /** Sends the output the cell has printed so far. */
  flushOutput: () => void;
}

// input() is called from user code, with a cell's patches in force: only primordials here.
const decode = (() => {
  const decoder = new TextDecoder();
  const method = TextDecoder.prototype.decode;
  return (bytes: Uint8Array): string => ReflectApply(method, decoder, [bytes]) as string;
})();
const toPrimitive = Symbol.toPrimitive;

/**
 * Without cross-origin isolation input() can only give a promise, and `'Hi ' + input()` would
 * quietly print `Hi [object Promise]`. Turning the promise into text says what to do instead;
 * awaiting it is unaffected.
 */
function refuseAsText(answer: Promise<string>): Promise<string> {
  const refuse = () => {
    throw new TypeErrorCtor(
      "[sandcell] input() gives a promise on this page (it is not cross-origin isolated, so input() cannot block): write `await input(…)`, or serve the page with the headers 'Cross-Origin-Opener-Policy: same-origin' and 'Cross-Origin-Embedder-Policy: require-corp' for a synchronous input()",
    );
  };
  ObjectDefineProperty(answer, toPrimitive, { __proto__: null, value: refuse } as PropertyDescriptor);
  ObjectDefineProperty(answer, 'toString', { __proto__: null, value: refuse } as PropertyDescriptor);
  return answer;
}

export function createInput(deps: InputDeps): (prompt?: unknown) => string | Promise<string> {
  return function input(prompt: unknown = ''): string | Promise<string> {
    const text = typeof prompt === 'string' ? prompt : StringCtor(prompt);
    if (!deps.hasInput) {
      throw new ErrorCtor(
        '[sandcell] input() needs an answer from the page, but this session has no onInput handler: pass onInput to createSession',
      );
    }
    const { control, inputBuffer } = deps;
    // What the cell printed before asking reaches the page before the question does (output
    // is batched; the question is a message of its own), whichever way the answer comes back.
    deps.flushOutput();
    if (!control || !inputBuffer) return refuseAsText(deps.hostCalls.requestInput(text));
    AtomicsStore(control, ControlSlot.InputState, InputState.Waiting);
    deps.hostCalls.announceInput(text);
    for (;;) {
      AtomicsWait(control, ControlSlot.InputState, InputState.Waiting);
      const interrupted = deps.gate.pending();
      if (interrupted) {
        AtomicsStore(control, ControlSlot.InputState, InputState.Idle);
        throw interrupted;
      }
      // A stop meant for another cell: keep waiting (unless the answer has landed meanwhile).
      AtomicsCompareExchange(control, ControlSlot.InputState, InputState.Stopping, InputState.Waiting);
      if (AtomicsLoad(control, ControlSlot.InputState) !== InputState.Waiting) break;
    }
    const state = AtomicsLoad(control, ControlSlot.InputState);
    const length = AtomicsLoad(control, ControlSlot.InputLength);
    // TextDecoder refuses views of shared memory: copy out first (by hand: slice() would look up a species).
    const shared = new Uint8ArrayCtor(inputBuffer, 0, length);
    const bytes = new Uint8ArrayCtor(length);
    for (let i = 0; i < length; i++) bytes[i] = shared[i];
    const answer = decode(bytes);
    AtomicsStore(control, ControlSlot.InputState, InputState.Idle);
    if (state === InputState.Failed) throw new ErrorCtor(answer);
    return answer;
  };
}
