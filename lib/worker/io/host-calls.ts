/**
 * Calls from a cell to the page: `host.<name>(...)` capabilities and the awaited form of
 * `input()`. Requests go out on the private port with an id; replies are matched by id
 * and shape, and a stopped cell's pending calls reject at once.
 */
import { CellInterrupt } from '../../executor/interrupt.ts';
import type { HostEvent, WorkerEvent } from '../../protocol.ts';
import { engineGuard } from '../lockdown/intrinsics.ts';

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

export function createHostObject(
  names: readonly string[],
  post: (event: WorkerEvent) => void,
  currentCell: () => number,
): HostCalls {
  // One allocator for every request the worker makes of the page.
  let nextId = 1;
  const pending = new Map<number, Pending>();
  const call = (
    type: 'capability' | 'input',
    payload: { name?: string; args?: unknown[]; prompt?: string },
  ): Promise<unknown> => {
    const id = nextId++;
    const cellId = currentCell();
    return new Promise((resolve, reject) => {
      pending.set(id, { cellId, resolve, reject });
      try {
        if (type === 'capability')
          post({ type: 'capability-call', cellId, requestId: id, name: payload.name ?? '', args: payload.args ?? [] });
        else post({ type: 'input-request', cellId, requestId: id, prompt: payload.prompt ?? '', sync: false });
      } catch (error) {
        pending.delete(id);
        reject(
          new TypeError(
            `host.${payload.name} arguments cannot be sent to the page: ${error instanceof Error ? error.message : String(error)}`,
          ),
        );
      }
    });
  };
  const host = Object.create(null) as Record<string, unknown>;
  for (const name of names) {
    host[name] = engineGuard().wrapEngine((...args: unknown[]) => call('capability', { name, args }));
  }
  Object.freeze(host);
  return {
    host,
    requestInput: (prompt) => call('input', { prompt }) as Promise<string>,
    announceInput(prompt) {
      const requestId = nextId++;
      post({ type: 'input-request', cellId: currentCell(), requestId, prompt, sync: true });
      return requestId;
    },
    onHostEvent: engineGuard().wrapEngine((message: HostEvent) => {
      if (!message || typeof message !== 'object') return;
      const m = message as Record<string, unknown>;
      const id = m.type === 'capability-reply' || m.type === 'input-reply' ? m.requestId : undefined;
      if (typeof id !== 'number') return;
      const entry = pending.get(id);
      if (!entry) return;
      pending.delete(id);
      if (m.ok === true) {
        entry.resolve(m.type === 'input-reply' ? String(m.text ?? '') : m.value);
      } else if (m.type === 'input-reply') {
        entry.reject(new Error(String(m.error ?? 'input() failed')));
      } else {
        const shape = (m.error ?? {}) as { name?: unknown; message?: unknown };
        const error = new Error(String(shape.message ?? 'host call failed'));
        error.name = typeof shape.name === 'string' ? shape.name : 'Error';
        entry.reject(error);
      }
    }),
    cancelCell(cellId) {
      for (const [id, entry] of pending) {
        if (entry.cellId === cellId) {
          pending.delete(id);
          entry.reject(new CellInterrupt('interrupt'));
        }
      }
    },
  };
}
