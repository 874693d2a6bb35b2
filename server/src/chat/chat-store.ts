import type { ChatMessage } from '@bff/shared';
import type { Bus } from '@oidc-bff/server';

/**
 * The chat's messages: a capped history and a live feed. Message ids increase in
 * the order messages were stored (`<epoch ms>-<sequence>`, the shape of Redis stream
 * ids), so that a stream that reconnects resumes after the last id it saw.
 */
export interface ChatStore {
  add(text: string, author: ChatMessage['author']): Promise<ChatMessage>;
  /** The `limit` most recent messages, oldest first. */
  recent(limit: number): Promise<ChatMessage[]>;
  /** Messages stored after `id`, oldest first (at most the history's capacity). */
  after(id: string): Promise<ChatMessage[]>;
  /** Calls `listener` for every new message, from any instance; returns the unsubscribe. */
  subscribe(listener: (message: ChatMessage) => void): () => void;
  /** Deletes every stored message of the user `sub`; returns how many there were. */
  deleteBy(sub: string): Promise<number>;
}

export const CHAT_CHANNEL = 'chat';
/** Messages kept in the history. */
export const CHAT_CAPACITY = 500;

/** Compares two message ids (`<ms>-<seq>`) in storage order. */
export function compareIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am - bm || as - bs;
}

/** Announces messages on the bus, so that subscribers get them wherever they were posted. */
export function subscribeToBus(bus: Bus, listener: (message: ChatMessage) => void): () => void {
  return bus.subscribe(CHAT_CHANNEL, (raw) => {
    try {
      listener(JSON.parse(raw) as ChatMessage);
    } catch {
      // a malformed message on the channel is dropped
    }
  });
}

/** The history of a single instance, in memory; live messages through the bus. */
export class MemoryChatStore implements ChatStore {
  readonly #messages: ChatMessage[] = [];
  #lastMs = 0;
  #seq = 0;

  constructor(
    private readonly bus: Bus,
    private readonly capacity = CHAT_CAPACITY,
    private readonly now: () => number = Date.now,
  ) {}

  async add(text: string, author: ChatMessage['author']): Promise<ChatMessage> {
    const now = Math.max(this.now(), this.#lastMs);
    this.#seq = now === this.#lastMs ? this.#seq + 1 : 0;
    this.#lastMs = now;
    const message: ChatMessage = { id: `${now}-${this.#seq}`, text, author, sentAt: new Date(now).toISOString() };
    this.#messages.push(message);
    if (this.#messages.length > this.capacity) this.#messages.splice(0, this.#messages.length - this.capacity);
    await this.bus.publish(CHAT_CHANNEL, JSON.stringify(message));
    return message;
  }

  async recent(limit: number): Promise<ChatMessage[]> {
    return this.#messages.slice(-limit);
  }

  async after(id: string): Promise<ChatMessage[]> {
    return this.#messages.filter((m) => compareIds(m.id, id) > 0);
  }

  subscribe(listener: (message: ChatMessage) => void): () => void {
    return subscribeToBus(this.bus, listener);
  }

  async deleteBy(sub: string): Promise<number> {
    const kept = this.#messages.filter((m) => m.author.sub !== sub);
    const deleted = this.#messages.length - kept.length;
    this.#messages.splice(0, this.#messages.length, ...kept);
    return deleted;
  }
}
