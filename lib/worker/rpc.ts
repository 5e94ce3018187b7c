/**
 * The worker side of the host's RPC, in place of `Comlink.expose`: the page still speaks
 * Comlink (`Comlink.wrap` on its end of the private port), but this side is ours because
 * Comlink's handler calls `Array.prototype.map/reduce/slice`, `Promise.prototype.then` and
 * `Object.assign` from the shared realm, where a cell can patch them. Here every message is
 * handled on the pristine built-ins (through the intrinsics guard), the reply is sent through
 * a `postMessage` bound at startup, and only `APPLY` of a method of the runtime's own class
 * and `RELEASE` are understood — nothing else a forged or stray message could ask for.
 */
import { errorToWire } from '../errors.ts';
import type { HostEvent, RpcReply, RpcRequest, WireValue, WorkerMessage } from '../protocol.ts';
import { applyPristine, type EngineGuard, thenPristine } from './lockdown/intrinsics.ts';

const hasOwn = Object.hasOwn;
const isArray = Array.isArray;
const getPrototypeOf = Reflect.getPrototypeOf;
const addEventListener = EventTarget.prototype.addEventListener;
const removeEventListener = EventTarget.prototype.removeEventListener;
const portStart = MessagePort.prototype.start;
const portClose = MessagePort.prototype.close;
const messageData = Object.getOwnPropertyDescriptor(MessageEvent.prototype, 'data')?.get as (
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
 * @param guard switches to the pristine built-ins while a message is handled.
 * @param hooks `afterReply`: engine work to do once a reply is out, in the same switch
 *   (checkpoints); `onEvent`: a host event (input and capability answers).
 */
export function exposeRuntime(
  target: object,
  port: MessagePort,
  post: (message: WorkerMessage) => void,
  guard: EngineGuard & { readonly broken?: boolean },
  hooks: { afterReply?: () => void; onEvent: (event: HostEvent) => void },
): void {
  const methods = getPrototypeOf(target) as Record<string, unknown>;
  const afterReply = hooks.afterReply ?? (() => {});
  const reply = (id: string, wire: WireValue) => {
    if (guard.broken) return;
    const message = wire as RpcReply;
    message.id = id;
    try {
      post(message);
    } catch (error) {
      // A value the structured clone refuses: the caller still gets an answer.
      const refused = thrownWire(
        new TypeError(`[sandcell] the worker's reply cannot be sent to the page: ${String(error)}`),
      );
      post({ ...refused, id } as RpcReply);
    }
  };
  const onRequest = (request: RpcRequest) => {
    const { id } = request;
    if (request.type === 'RELEASE') {
      reply(id, { type: 'RAW', value: undefined });
      applyPristine(removeEventListener, port, ['message', onMessage]);
      applyPristine(portClose, port, []);
      return;
    }
    const path: unknown = request.path;
    const name = isArray(path) && path.length === 1 ? path[0] : undefined;
    const method =
      typeof name === 'string' && name !== 'constructor' && hasOwn(methods, name) ? methods[name] : undefined;
    if (request.type !== 'APPLY' || typeof method !== 'function') {
      reply(id, thrownWire(new TypeError(`[sandcell] the worker runtime has no method ${String(name)}`)));
      return;
    }
    const args: unknown[] = [];
    const list: unknown = request.argumentList;
    const wires = isArray(list) ? list : [];
    for (let i = 0; i < wires.length; i++) {
      const wire = wires[i] as Partial<WireValue> | null;
      if (wire?.type !== 'RAW') {
        reply(
          id,
          thrownWire(new TypeError('[sandcell] only plain (structured-clone) arguments reach the worker runtime')),
        );
        return;
      }
      args[i] = wire.value;
    }
    let result: unknown;
    try {
      result = applyPristine(method, target, args);
    } catch (error) {
      reply(id, thrownWire(error));
      return;
    }
    thenPristine(
      result,
      (value) =>
        guard.engine(() => {
          reply(id, { type: 'RAW', value });
          afterReply();
        }),
      (error) =>
        guard.engine(() => {
          reply(id, thrownWire(error));
          afterReply();
        }),
    );
  };
  const onMessage = (event: MessageEvent) =>
    guard.engine(() => {
      const data = applyPristine(messageData, event, []) as { id?: unknown; type?: unknown } | null;
      if (!data || typeof data !== 'object' || typeof data.type !== 'string') return;
      // Comlink's requests carry an id; the page's answers to the worker's requests do not.
      if (typeof data.id === 'string') onRequest(data as RpcRequest);
      else hooks.onEvent(data as HostEvent);
    });
  applyPristine(addEventListener, port, ['message', onMessage]);
  applyPristine(portStart, port, []);
}
