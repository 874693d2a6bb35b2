/**
 * Stands in for the browser's `EventSource` (the transport of subscriptions), driven by the
 * spec, which plays the API's (and the browser's) side. See {@link fakeEventSources}.
 */
export class FakeEventSource {
  /** CONNECTING (0), OPEN (1) or CLOSED (2), as in `EventSource`. */
  readyState = 0;
  private readonly listeners = new Map<string, ((event: MessageEvent<string>) => void)[]>();

  constructor(
    readonly url: string,
    readonly init?: EventSourceInit,
  ) {}

  get closed(): boolean {
    return this.readyState === 2;
  }

  addEventListener(type: string, listener: (event: MessageEvent<string>) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  close(): void {
    this.readyState = 2;
  }

  /**
   * An event from the API, e.g. `emit('message', JSON.stringify(value), value.id)` for a
   * tracked event (`id:` on the wire); none arrive once closed.
   */
  emit(type: string, data = '', lastEventId = ''): void {
    if (this.closed) return;
    this.readyState = 1;
    this.dispatch(type, data, lastEventId);
  }

  /** The connection dropped and the browser is reconnecting, or (`refused`) it gave up. */
  fail(refused = false): void {
    this.readyState = refused ? 2 : 0;
    this.dispatch('error', '');
  }

  private dispatch(type: string, data: string, lastEventId = ''): void {
    for (const listener of this.listeners.get(type) ?? []) listener(new MessageEvent(type, { data, lastEventId }));
  }
}

/**
 * An `EventSource` constructor for the real client (`provideBffTesting({ fetch, EventSource })`),
 * and the streams opened with it, oldest first.
 */
export function fakeEventSources(): { readonly EventSource: typeof EventSource; readonly opened: FakeEventSource[] } {
  const opened: FakeEventSource[] = [];
  return {
    opened,
    EventSource: class extends FakeEventSource {
      constructor(url: string, init?: EventSourceInit) {
        super(url, init);
        opened.push(this);
      }
    } as unknown as typeof EventSource,
  };
}
