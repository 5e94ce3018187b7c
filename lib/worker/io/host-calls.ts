/**
 * Calls from a cell to the page: `host.<name>(...)` capabilities and the awaited form of
 * `input()`. Requests go out on the private port with an id; replies are matched by id
 * and shape, and a stopped cell's pending calls reject at once. All of it runs inside user
 * code or on the hot path, so it uses only primordials (lib/primordials.ts) and reads the
 * page's replies by own fields only.
 */
import { CellInterrupt } from '../../executor/interrupt.ts';
import {
  append,
  ErrorCtor,
  list,
  ObjectFreeze,
  ownField,
  PromiseCtor,
  SafeMap,
  TypeErrorCtor,
} from '../../primordials.ts';
import type { HostEvent, WorkerEvent } from '../../protocol.ts';

export interface HostCalls {
  /** The `host` object user code sees: a frozen, prototype-less object of the capability names only. */
  host: object;
  onHostEvent(message: HostEvent): void;
  /** Asks the host for an input answer without blocking (no SharedArrayBuffer). */
  requestInput(prompt: string): Promise<string>;
  /** Announces a synchronous input request (the answer comes through the shared buffer); returns its id. */
  announceInput(prompt: string): number;
  cancelCell(cellId: number): void;
}

interface Pending {
  cellId: number;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** A string for an error message, without calling anything of the value's (it may be a cell's). */
function describeFailure(error: unknown): string {
  const message = ownField(error, 'message');
  if (typeof message === 'string') return message;
  return typeof error === 'string' ? error : 'the arguments cannot be structured-cloned';
}

export function createHostObject(
  names: readonly string[],
  post: (event: WorkerEvent) => void,
  currentCell: () => number,
): HostCalls {
  // One allocator for every request the worker makes of the page.
  let nextId = 1;
  const pending = new SafeMap<number, Pending>();
  const call = (
    type: 'capability' | 'input',
    payload: { name?: string; args?: unknown[]; prompt?: string },
  ): Promise<unknown> => {
    const id = nextId++;
    const cellId = currentCell();
    return new PromiseCtor((resolve, reject) => {
      pending.set(id, { cellId, resolve, reject });
      try {
        if (type === 'capability')
          post({ type: 'capability-call', cellId, requestId: id, name: payload.name ?? '', args: payload.args ?? [] });
        else post({ type: 'input-request', cellId, requestId: id, prompt: payload.prompt ?? '', sync: false });
      } catch (error) {
        pending.delete(id);
        reject(
          new TypeErrorCtor(`host.${payload.name} arguments cannot be sent to the page: ${describeFailure(error)}`),
        );
      }
    });
  };
  const host = { __proto__: null } as unknown as Record<string, unknown>;
  for (const name of names) {
    host[name] = (...args: unknown[]) => {
      // A list of our own: the page receives the cell's arguments by structured clone only.
      const copy = list<unknown>();
      for (let i = 0; i < args.length; i++) append(copy, args[i]);
      return call('capability', { __proto__: null, name, args: copy } as { name: string; args: unknown[] });
    };
  }
  ObjectFreeze(host);
  return {
    host,
    requestInput: (prompt) => call('input', { __proto__: null, prompt } as { prompt: string }) as Promise<string>,
    announceInput(prompt) {
      const requestId = nextId++;
      post({ type: 'input-request', cellId: currentCell(), requestId, prompt, sync: true });
      return requestId;
    },
    onHostEvent(message: HostEvent) {
      const type = ownField(message, 'type');
      const id = type === 'capability-reply' || type === 'input-reply' ? ownField(message, 'requestId') : undefined;
      if (typeof id !== 'number') return;
      const entry = pending.get(id);
      if (!entry) return;
      pending.delete(id);
      if (ownField(message, 'ok') === true) {
        const text = ownField(message, 'text');
        entry.resolve(type === 'input-reply' ? (typeof text === 'string' ? text : '') : ownField(message, 'value'));
      } else if (type === 'input-reply') {
        const error = ownField(message, 'error');
        entry.reject(new ErrorCtor(typeof error === 'string' ? error : 'input() failed'));
      } else {
        const shape = ownField(message, 'error');
        const text = ownField(shape, 'message');
        const name = ownField(shape, 'name');
        const error = new ErrorCtor(typeof text === 'string' ? text : 'host call failed');
        error.name = typeof name === 'string' ? name : 'Error';
        entry.reject(error);
      }
    },
    cancelCell(cellId) {
      pending.forEach((entry, id) => {
        if (entry.cellId === cellId) {
          pending.delete(id);
          entry.reject(new CellInterrupt('interrupt'));
        }
      });
    },
  };
}
