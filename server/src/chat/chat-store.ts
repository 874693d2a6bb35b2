import { randomUUID } from 'node:crypto';
import type { ChatMessage } from '@bff/shared';

/** Keeps the most recent chat messages in memory. */
export class ChatStore {
  readonly #messages: ChatMessage[] = [];

  constructor(private readonly capacity = 500, private readonly now: () => Date = () => new Date()) {}

  add(text: string, author: ChatMessage['author']): ChatMessage {
    const message: ChatMessage = { id: randomUUID(), text, author, sentAt: this.now().toISOString() };
    this.#messages.push(message);
    if (this.#messages.length > this.capacity) this.#messages.splice(0, this.#messages.length - this.capacity);
    return message;
  }

  /** The `limit` most recent messages, oldest first. */
  recent(limit: number): ChatMessage[] {
    return this.#messages.slice(-limit);
  }
}
