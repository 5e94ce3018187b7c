/**
 * The worker side of the host's RPC, in place of `Comlink.expose`: the page still speaks
 * Comlink (`Comlink.wrap` on its end of the private port), but this side is ours because
 * Comlink's handler calls `Array.prototype.map/reduce/slice`, `Promise.prototype.then` and
 * `Object.assign` from the shared realm, where a cell can patch them. Here every message is
 * handled on the pristine built-ins (through the intrinsics guard), the reply is sent through
 * a `postMessage` bound at startup, and only `APPLY` of a method of the runtime's own class
 * and `RELEASE` are understood — nothing else a forged or stray message could ask for.
 */
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
function thrownWire(error: unknown): Record<string, unknown> {
  if (error instanceof Error) {
    const value: Record<string, unknown> = { message: error.message, name: error.name, stack: error.stack };
    const cause = (error as { cause?: unknown }).cause;
    // Comlink copies every field onto the rebuilt Error: SnapshotError's reason survives the trip.
    if (typeof cause === 'string') value.cause = cause;
    return { type: 'HANDLER', name: 'throw', value: { isError: true, value } };
  }
  return { type: 'HANDLER', name: 'throw', value: { isError: false, value: error } };
}

/**
 * Serves `target`'s methods on `port` to a `Comlink.wrap` on the other end.
 * @param target the runtime; callable names are the own methods of its class.
 * @param port the private RPC port from the init message.
 * @param post `postMessage` bound to `port` before any user code ran.
 * @param guard switches to the pristine built-ins while a message is handled.
 * @param afterReply engine work to do once a reply is out, in the same switch (checkpoints).
 */
export function exposeRuntime(
  target: object,
  port: MessagePort,
  post: (message: unknown) => void,
  guard: EngineGuard,
  afterReply: () => void = () => {},
): void {
  const methods = getPrototypeOf(target) as Record<string, unknown>;
  const reply = (id: unknown, wire: Record<string, unknown>) => {
    if ((guard as { broken?: boolean }).broken) return;
    wire.id = id;
    try {
      post(wire);
    } catch (error) {
      // A value the structured clone refuses: the caller still gets an answer.
      post({
        ...thrownWire(new TypeError(`[sandcell] the worker's reply cannot be sent to the page: ${String(error)}`)),
        id,
      });
    }
  };
  const onMessage = (event: MessageEvent) =>
    guard.engine(() => {
      const data = applyPristine(messageData, event, []) as Record<string, unknown> | null;
      if (!data || typeof data !== 'object') return;
      const { id, type, path, argumentList } = data;
      if (type === 'RELEASE') {
        reply(id, { type: 'RAW', value: undefined });
        applyPristine(removeEventListener, port, ['message', onMessage]);
        applyPristine(portClose, port, []);
        return;
      }
      const name = isArray(path) && path.length === 1 ? path[0] : undefined;
      const method =
        typeof name === 'string' && name !== 'constructor' && hasOwn(methods, name) ? methods[name] : undefined;
      if (type !== 'APPLY' || typeof method !== 'function') {
        reply(id, thrownWire(new TypeError(`[sandcell] the worker runtime has no method ${String(name)}`)));
        return;
      }
      const args: unknown[] = [];
      const list = isArray(argumentList) ? argumentList : [];
      for (let i = 0; i < list.length; i++) {
        const wire = list[i] as { type?: unknown; value?: unknown } | null;
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
    });
  applyPristine(addEventListener, port, ['message', onMessage]);
  applyPristine(portStart, port, []);
}
