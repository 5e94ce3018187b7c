/**
 * `input(prompt)` in a cell. On a cross-origin-isolated page it is synchronous: the worker
 * blocks in Atomics.wait until the host writes the answer into the shared buffer (an
 * interrupt wakes it too). Elsewhere it returns a promise of the answer.
 */
import { CellInterrupt, type InterruptGate } from '../../executor/interrupt.ts';
import { ControlSlot, InputState } from '../../protocol.ts';
import { engineGuard } from '../lockdown/intrinsics.ts';
import type { HostCalls } from './host-calls.ts';

interface InputDeps {
  control?: Int32Array;
  inputBuffer?: SharedArrayBuffer;
  hasInput: boolean;
  gate: InterruptGate;
  hostCalls: HostCalls;
}

// The engine's own copies: input() runs while user code is in force, and a cell may patch Atomics.
const atomicsLoad = Atomics.load;
const atomicsStore = Atomics.store;
const atomicsWait = Atomics.wait;
const defineProperty = Object.defineProperty;

/**
 * Without cross-origin isolation input() can only give a promise, and `'Hi ' + input()` would
 * quietly print `Hi [object Promise]`. Turning the promise into text says what to do instead;
 * awaiting it is unaffected.
 */
function refuseAsText(answer: Promise<string>): Promise<string> {
  const refuse = () => {
    throw new TypeError(
      "[sandcell] input() gives a promise on this page (it is not cross-origin isolated, so input() cannot block): write `await input(…)`, or serve the page with the headers 'Cross-Origin-Opener-Policy: same-origin' and 'Cross-Origin-Embedder-Policy: require-corp' for a synchronous input()",
    );
  };
  defineProperty(answer, Symbol.toPrimitive, { value: refuse });
  defineProperty(answer, 'toString', { value: refuse });
  return answer;
}

export function createInput(deps: InputDeps): (prompt?: unknown) => string | Promise<string> {
  const decoder = new TextDecoder();
  return engineGuard().wrapEngine(function input(prompt: unknown = ''): string | Promise<string> {
    const text = typeof prompt === 'string' ? prompt : String(prompt);
    if (!deps.hasInput) {
      throw new Error(
        '[sandcell] input() needs an answer from the page, but this session has no onInput handler: pass onInput to createSession',
      );
    }
    const { control, inputBuffer } = deps;
    if (!control || !inputBuffer) return refuseAsText(deps.hostCalls.requestInput(text));
    atomicsStore(control, ControlSlot.InputState, InputState.Waiting);
    deps.hostCalls.announceInput(text);
    for (;;) {
      atomicsWait(control, ControlSlot.InputState, InputState.Waiting);
      const interrupted = deps.gate.pending();
      if (interrupted) {
        atomicsStore(control, ControlSlot.InputState, InputState.Idle);
        throw interrupted instanceof CellInterrupt ? interrupted : new CellInterrupt('interrupt');
      }
      if (atomicsLoad(control, ControlSlot.InputState) !== InputState.Waiting) break;
    }
    const state = atomicsLoad(control, ControlSlot.InputState);
    const length = atomicsLoad(control, ControlSlot.InputLength);
    // TextDecoder refuses views of shared memory: copy out first.
    const answer = decoder.decode(new Uint8Array(inputBuffer, 0, length).slice());
    atomicsStore(control, ControlSlot.InputState, InputState.Idle);
    if (state === InputState.Failed) throw new Error(answer);
    return answer;
  });
}
