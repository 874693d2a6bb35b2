import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { ChatMessage } from '@bff/shared';

/** Keeps the most recent chat messages in memory and announces new ones. */
export class ChatStore {
  readonly #messages: ChatMessage[] = [];
  /** Emits `message` for every message added. */
  readonly events = new EventEmitter<{ message: [ChatMessage] }>();

  constructor(private readonly capacity = 500, private readonly now: () => Date = () => new Date()) {
    // One listener per open live-chat stream.
    this.events.setMaxListeners(0);
  }

  add(text: string, author: ChatMessage['author']): ChatMessage {
    const message: ChatMessage = { id: randomUUID(), text, author, sentAt: this.now().toISOString() };
    this.#messages.push(message);
    if (this.#messages.length > this.capacity) this.#messages.splice(0, this.#messages.length - this.capacity);
    this.events.emit('message', message);
    return message;
  }

  /** The `limit` most recent messages, oldest first. */
  recent(limit: number): ChatMessage[] {
    return this.#messages.slice(-limit);
  }
}
