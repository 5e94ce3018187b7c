/**
 * The worker side of the host's RPC, in place of `Comlink.expose`: the page still speaks
 * Comlink (`Comlink.wrap` on its end of the private port), but this side is ours because
 * Comlink's handler calls `Array.prototype.map/reduce/slice`, `Promise.prototype.then` and
 * `Object.assign` from the shared realm, where a cell can patch them. Here a message is
 * read by own fields only, the reply is sent through a `postMessage` bound at startup, and
 * only `APPLY` of a method of the runtime's own class and `RELEASE` are understood —
 * nothing else a forged or stray message could ask for.
 *
 * The hot methods (`execute`, `interrupt`) are called as they are: they use only
 * primordials. Every other method runs under the guard (on the pristine built-ins).
 */
import { errorToWire } from '../errors.ts';
import {
  ArrayIsArray,
  append,
  isEnginePromise,
  list,
  ownField,
  ReflectApply,
  ReflectGetOwnPropertyDescriptor,
  ReflectGetPrototypeOf,
  ReflectOwnKeys,
  TypeErrorCtor,
  whenSettled,
} from '../primordials.ts';
import type { HostEvent, RpcReply, WireValue, WorkerMessage } from '../protocol.ts';
import type { EngineGuard } from './lockdown/intrinsics.ts';

const addEventListener = EventTarget.prototype.addEventListener;
const removeEventListener = EventTarget.prototype.removeEventListener;
const portStart = MessagePort.prototype.start;
const portClose = MessagePort.prototype.close;
const messageData = ReflectGetOwnPropertyDescriptor(MessageEvent.prototype, 'data')?.get as (
  this: MessageEvent,
) => unknown;

/** Comlink's wire shape of a thrown value (see comlink/src/comlink.ts, throwTransferHandler). */
function thrownWire(error: unknown): WireValue {
  if (error instanceof Error || (typeof error === 'object' && error !== null && 'message' in error)) {
    return { type: 'HANDLER', name: 'throw', value: { isError: true, value: errorToWire(error) } };
  }
  return { type: 'HANDLER', name: 'throw', value: { isError: false, value: error } };
}

/**
 * Serves `target`'s methods on the session's port to a `Comlink.wrap` on the other end, and
 * hands every other message on that port (answers to the worker's own requests) to `onEvent`.
 * @param target the runtime; callable names are the own methods of its class.
 * @param port the session's port from the init message.
 * @param post `postMessage` bound to `port` before any user code ran.
 * @param guard runs the cold methods on the pristine built-ins.
 * @param hooks `hot`: the methods that need no guard (default none); `afterReply`: work to do once a reply
 *   is out (checkpoints); `onEvent`: a host event (input and capability answers).
 */
export function exposeRuntime(
  target: object,
  port: MessagePort,
  post: (message: WorkerMessage) => void,
  guard: EngineGuard & { readonly broken?: boolean },
  hooks: { hot?: ReadonlySet<string>; afterReply?: () => void; onEvent: (event: HostEvent) => void },
): void {
  // Captured at startup, into tables with no prototype: a lookup finds an own entry or nothing.
  const methods = { __proto__: null } as unknown as Record<string, (...args: unknown[]) => unknown>;
  const hot = { __proto__: null } as unknown as Record<string, true>;
  const proto = ReflectGetPrototypeOf(target) as Record<string, unknown>;
  for (const name of ReflectOwnKeys(proto)) {
    if (typeof name !== 'string' || name === 'constructor' || typeof proto[name] !== 'function') continue;
    methods[name] = proto[name] as (...args: unknown[]) => unknown;
    if (hooks.hot?.has(name)) hot[name] = true;
  }
  const afterReply = hooks.afterReply ?? (() => {});
  const onEvent = hooks.onEvent;

  // Replies are built whole, as literals with no prototype: assigning a field later could hit a setter a cell put on Object.prototype.
  const send = (message: RpcReply) => {
    if (guard.broken) return;
    try {
      post(message);
    } catch (error) {
      // A value the structured clone refuses: the caller still gets an answer.
      const refused = guard.engine(() =>
        thrownWire(new TypeError(`[sandcell] the worker's reply cannot be sent to the page: ${String(error)}`)),
      );
      post({ __proto__: null, ...refused, id: message.id } as unknown as RpcReply);
    }
  };
  const reply = (id: string, value: unknown) => send({ __proto__: null, type: 'RAW', value, id } as RpcReply);
  const fail = (id: string, error: unknown) => {
    const wire = guard.engine(() => thrownWire(error));
    send({ __proto__: null, ...wire, id } as unknown as RpcReply);
  };

  const onRequest = (id: string, data: unknown) => {
    const type = ownField(data, 'type');
    if (type === 'RELEASE') {
      reply(id, undefined);
      ReflectApply(removeEventListener, port, ['message', onMessage]);
      ReflectApply(portClose, port, []);
      return;
    }
    const path = ownField(data, 'path');
    const name = ArrayIsArray(path) && path.length === 1 ? ownField(path, 0) : undefined;
    const method = typeof name === 'string' ? methods[name] : undefined;
    if (type !== 'APPLY' || method === undefined) {
      fail(
        id,
        new TypeErrorCtor(`[sandcell] the worker runtime has no method ${typeof name === 'string' ? name : '?'}`),
      );
      return;
    }
    const wires = ownField(data, 'argumentList');
    const args = list<unknown>();
    const count = ArrayIsArray(wires) ? wires.length : 0;
    for (let i = 0; i < count; i++) {
      const wire = ownField(wires, i);
      if (ownField(wire, 'type') !== 'RAW') {
        fail(id, new TypeErrorCtor('[sandcell] only plain (structured-clone) arguments reach the worker runtime'));
        return;
      }
      append(args, ownField(wire, 'value'));
    }
    let result: unknown;
    try {
      result = hot[name as string]
        ? ReflectApply(method, target, args)
        : guard.engine(() => ReflectApply(method, target, args));
    } catch (error) {
      fail(id, error);
      afterReply();
      return;
    }
    if (!isEnginePromise(result)) {
      reply(id, result);
      afterReply();
      return;
    }
    whenSettled(
      result,
      (value) => {
        reply(id, value);
        afterReply();
      },
      (error) => {
        fail(id, error);
        afterReply();
      },
    );
  };
  const onMessage = (event: MessageEvent) => {
    const data = ReflectApply(messageData, event, []);
    const type = ownField(data, 'type');
    if (typeof type !== 'string') return;
    // Comlink's requests carry an id; the page's answers to the worker's requests do not.
    const id = ownField(data, 'id');
    if (typeof id === 'string') onRequest(id, data);
    else onEvent(data as HostEvent);
  };
  ReflectApply(addEventListener, port, ['message', onMessage]);
  ReflectApply(portStart, port, []);
}
