/**
 * The host's answers to what a cell asks of the page: `input()` (through the shared
 * buffer when the worker is blocked in Atomics.wait, else as a message) and
 * `host.<name>(...)` capability calls. Everything arriving here is treated as hostile:
 * shapes are checked and only own keys of the capabilities object are callable.
 */
import { ControlSlot, type HostEvent, InputState, type WorkerEvent } from '../protocol.ts';
import type { SessionOptions } from '../types.ts';

export interface HostBridge {
  dispose(): void;
}

interface BridgeOptions {
  port: MessagePort;
  options: SessionOptions;
  control?: Int32Array;
  inputBuffer?: SharedArrayBuffer;
  isCurrentCell: (cellId: number) => boolean;
}

function errorShape(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

/** Listens on the session's event port for input requests and capability calls. */
export function startHostBridge({ port, options, control, inputBuffer, isCurrentCell }: BridgeOptions): HostBridge {
  let disposed = false;
  const encoder = new TextEncoder();
  const reply = (message: HostEvent) => {
    if (!disposed) port.postMessage(message);
  };

  const answerSync = (ok: boolean, text: string) => {
    if (!control || !inputBuffer) return;
    const bytes = new Uint8Array(inputBuffer);
    const encoded = encoder.encode(text);
    const length = Math.min(encoded.byteLength, bytes.byteLength);
    // The worker reads exactly InputLength bytes; a longer answer is cut rather than overflowing.
    bytes.set(encoded.subarray(0, length));
    Atomics.store(control, ControlSlot.InputLength, length);
    Atomics.store(control, ControlSlot.InputState, ok ? InputState.Answered : InputState.Failed);
    Atomics.notify(control, ControlSlot.InputState);
  };

  const onInputRequest = async (message: Extract<WorkerEvent, { type: 'input-request' }>, sync: boolean) => {
    const { requestId } = message;
    const prompt = typeof message.prompt === 'string' ? message.prompt : String(message.prompt);
    const onInput = options.onInput;
    let ok = true;
    let text = '';
    if (!onInput) {
      ok = false;
      text = '[sandcell] input() needs an onInput handler: pass onInput to createSession';
    } else {
      try {
        const answer = await onInput(prompt);
        text = typeof answer === 'string' ? answer : String(answer ?? '');
      } catch (error) {
        ok = false;
        text = `onInput failed: ${errorShape(error).message}`;
      }
    }
    if (sync) answerSync(ok, text);
    else reply(ok ? { type: 'input-reply', requestId, ok, text } : { type: 'input-reply', requestId, ok, error: text });
  };

  /** Calls in flight, by id: a repeated id is refused rather than answered twice. */
  const inFlight = new Set<number>();
  const refuse = (callId: number, message: string) =>
    reply({
      type: 'capability-reply',
      callId,
      ok: false,
      error: { name: 'TypeError', message: `[sandcell] ${message}` },
    });

  const onCapabilityCall = async (message: Extract<WorkerEvent, { type: 'capability-call' }>) => {
    const { callId, name, args } = message;
    const capabilities = options.capabilities ?? {};
    // Own keys only: `__proto__`, `constructor`, `toString` and anything inherited are not capabilities.
    const fn = typeof name === 'string' && Object.hasOwn(capabilities, name) ? capabilities[name] : undefined;
    const shown = typeof name === 'string' ? name.slice(0, 100) : typeof name;
    if (typeof fn !== 'function') return refuse(callId, `host.${shown} is not a capability of this session`);
    if (!Array.isArray(args)) return refuse(callId, `host.${shown} was called with malformed arguments`);
    if (!isCurrentCell(message.cellId)) return refuse(callId, `host.${shown} was called by a cell that is not running`);
    if (inFlight.has(callId)) return refuse(callId, `host call id ${callId} is already in flight`);
    inFlight.add(callId);
    try {
      const value = await fn(...args);
      try {
        reply({ type: 'capability-reply', callId, ok: true, value });
      } catch (error) {
        reply({
          type: 'capability-reply',
          callId,
          ok: false,
          error: {
            name: 'DataCloneError',
            message: `[sandcell] host.${name} returned a value that cannot be sent to the cell: ${errorShape(error).message}`,
          },
        });
      }
    } catch (error) {
      reply({ type: 'capability-reply', callId, ok: false, error: errorShape(error) });
    } finally {
      inFlight.delete(callId);
    }
  };

  const onMessage = (event: MessageEvent) => {
    const message = event.data as WorkerEvent;
    if (!message || typeof message !== 'object' || typeof message.type !== 'string') return;
    if (message.type === 'input-request') {
      if (!Number.isInteger(message.requestId) || !isCurrentCell(message.cellId)) return;
      const sync = control !== undefined && Atomics.load(control, ControlSlot.InputState) === InputState.Waiting;
      void onInputRequest(message, sync);
    } else if (message.type === 'capability-call') {
      if (!Number.isInteger(message.callId)) return;
      void onCapabilityCall(message);
    }
  };
  port.addEventListener('message', onMessage);
  return {
    dispose() {
      disposed = true;
      port.removeEventListener('message', onMessage);
    },
  };
}
