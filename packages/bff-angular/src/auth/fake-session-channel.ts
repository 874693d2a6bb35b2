import type { SessionChannel, SessionMessage } from './session-channel.js';

/**
 * Stands in for the channel between the application's tabs in specs (`provideBffTesting`):
 * records what this tab posts, and delivers messages from "other tabs" on demand. (A real
 * `BroadcastChannel` would carry messages between spec files running in parallel.)
 */
export class FakeSessionChannel implements SessionChannel {
  readonly posted: SessionMessage[] = [];
  private readonly listeners = new Set<(message: SessionMessage) => void>();

  post(message: SessionMessage): void {
    this.posted.push(message);
  }

  listen(listener: (message: SessionMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Delivers `message` as if another tab had posted it. */
  receive(message: SessionMessage): void {
    for (const listener of this.listeners) listener(message);
  }
}
