import { EventEmitter } from 'node:events';

/**
 * Messages between the instances of one deployment: a session ended, a chat message
 * was posted. In memory for a single instance; over Redis pub/sub for several.
 * Delivery is at most once: anything that must not be lost is also written to the store.
 */
export interface Bus {
  publish(channel: string, message: string): Promise<void>;
  /** Calls `listener` for every message on `channel`, this instance's own included; returns the unsubscribe. */
  subscribe(channel: string, listener: (message: string) => void): () => void;
  close(): Promise<void>;
}

/** The bus of a single instance. */
export class MemoryBus implements Bus {
  readonly #events = new EventEmitter();

  constructor() {
    // One listener per open live stream.
    this.#events.setMaxListeners(0);
  }

  async publish(channel: string, message: string): Promise<void> {
    this.#events.emit(channel, message);
  }

  subscribe(channel: string, listener: (message: string) => void): () => void {
    this.#events.on(channel, listener);
    return () => this.#events.off(channel, listener);
  }

  async close(): Promise<void> {
    this.#events.removeAllListeners();
  }
}
