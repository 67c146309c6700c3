// EventTarget with CustomEvent runs the same on Node, Bun, Deno and browsers; this only adds
// types, so `table.addEventListener('peer:added', (e) => e.detail.id)` is checked.

export type TypedListener<T> = (event: CustomEvent<T>) => void

type AnyListener = EventListenerOrEventListenerObject | null

export class TypedEventTarget<EventMap extends Record<string, unknown>> extends EventTarget {
  override addEventListener<K extends keyof EventMap & string>(
    type: K,
    listener: TypedListener<EventMap[K]> | null,
    options?: boolean | AddEventListenerOptions
  ): void
  override addEventListener(
    type: string,
    listener: AnyListener,
    options?: boolean | AddEventListenerOptions
  ): void
  override addEventListener(
    type: string,
    listener: unknown,
    options?: boolean | AddEventListenerOptions
  ): void {
    super.addEventListener(type, listener as AnyListener, options)
  }

  override removeEventListener<K extends keyof EventMap & string>(
    type: K,
    listener: TypedListener<EventMap[K]> | null,
    options?: boolean | EventListenerOptions
  ): void
  override removeEventListener(
    type: string,
    listener: AnyListener,
    options?: boolean | EventListenerOptions
  ): void
  override removeEventListener(
    type: string,
    listener: unknown,
    options?: boolean | EventListenerOptions
  ): void {
    super.removeEventListener(type, listener as AnyListener, options)
  }

  /** Dispatches a `CustomEvent` carrying `detail`. */
  protected emit<K extends keyof EventMap & string>(type: K, detail: EventMap[K]): void {
    this.dispatchEvent(new CustomEvent(type, { detail }))
  }
}
