/**
 * An EventTarget whose listeners are typed by an event map (as `HTMLElementEventMap` types
 * `addEventListener` on elements): `session.addEventListener('restart', (e) => e.detail.reason)`
 * type-checks without casts. Other event names stay allowed, as on any EventTarget.
 */
type Listener<E> = ((event: E) => void) | { handleEvent(event: E): void } | null;

export class TypedEventTarget<EventMap extends { [K in keyof EventMap]: CustomEvent }> extends EventTarget {
  override addEventListener<K extends keyof EventMap & string>(
    type: K,
    listener: Listener<EventMap[K]>,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    super.addEventListener(type, listener, options);
  }

  override removeEventListener<K extends keyof EventMap & string>(
    type: K,
    listener: Listener<EventMap[K]>,
    options?: boolean | EventListenerOptions,
  ): void;
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void;
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void {
    super.removeEventListener(type, listener, options);
  }

  /** Dispatches `type` with `detail` to the listeners. */
  protected emit<K extends keyof EventMap & string>(type: K, detail: EventMap[K]['detail']): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
