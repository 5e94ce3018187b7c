/**
 * The host's answers to what a cell asks of the page: `input()` (through the shared
 * buffer when the worker is blocked in Atomics.wait, else as a message) and
 * `host.<name>(...)` capability calls. Everything arriving here is treated as hostile:
 * shapes are checked and only own keys of the capabilities object are callable.
 */
import { errorToWire } from '../errors.ts';
import type { HostEvent, WireError, WorkerEvent } from '../protocol.ts';
import type { SessionOptions } from '../types.ts';

/** What the bridge needs of the worker it answers (see WorkerLink). */
export interface BridgeChannel {
  post(event: HostEvent): void;
  answerSyncInput(ok: boolean, text: string): void;
}

/** A request from the worker that the bridge answers. */
export type BridgeRequest = Extract<WorkerEvent, { type: 'input-request' | 'capability-call' }>;

export interface HostBridge {
  /** Answers one request of the worker (input, capability call). */
  handle(request: BridgeRequest): void;
  /** Stops answering: replies still pending are dropped (their worker is gone). */
  dispose(): void;
}

interface BridgeOptions {
  channel: BridgeChannel;
  options: SessionOptions;
  isCurrentCell: (cellId: number) => boolean;
}

/** Answers a session's worker's input requests and capability calls, on the page. */
export function startHostBridge({ channel, options, isCurrentCell }: BridgeOptions): HostBridge {
  let disposed = false;
  const reply = (message: HostEvent) => {
    if (!disposed) channel.post(message);
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
        text = `[sandcell] onInput failed: ${errorToWire(error).message}`;
      }
    }
    if (disposed) return;
    if (sync) channel.answerSyncInput(ok, text);
    else reply(ok ? { type: 'input-reply', requestId, ok, text } : { type: 'input-reply', requestId, ok, error: text });
  };

  /** Calls in flight, by id: a repeated id is refused rather than answered twice. */
  const inFlight = new Set<number>();
  const refuse = (requestId: number, message: string) =>
    reply({
      type: 'capability-reply',
      requestId,
      ok: false,
      error: { name: 'TypeError', message: `[sandcell] ${message}` },
    });

  const onCapabilityCall = async (message: Extract<WorkerEvent, { type: 'capability-call' }>) => {
    const { requestId: callId, name, args } = message;
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
        reply({ type: 'capability-reply', requestId: callId, ok: true, value });
      } catch (error) {
        reply({
          type: 'capability-reply',
          requestId: callId,
          ok: false,
          error: {
            name: 'DataCloneError',
            message: `[sandcell] host.${name} returned a value that cannot be sent to the cell: ${errorToWire(error).message}`,
          },
        });
      }
    } catch (error) {
      reply({ type: 'capability-reply', requestId: callId, ok: false, error: wireError(error) });
    } finally {
      inFlight.delete(callId);
    }
  };

  return {
    handle(request) {
      if (disposed || !request || typeof request !== 'object') return;
      if (request.type === 'input-request') {
        if (!Number.isInteger(request.requestId) || !isCurrentCell(request.cellId)) return;
        void onInputRequest(request, request.sync === true);
      } else if (request.type === 'capability-call') {
        if (!Number.isInteger(request.requestId)) return;
        void onCapabilityCall(request);
      }
    },
    dispose() {
      disposed = true;
    },
  };
}

/** A capability's error for the cell: name and message only (the page's stack is not the cell's business). */
function wireError(error: unknown): WireError {
  const { name, message } = errorToWire(error);
  return { name, message };
}
