import type { ChatMessage } from '@bff/shared';
import type { Bus, RedisConnection } from '@oidc-bff/server';
import { CHAT_CAPACITY, CHAT_CHANNEL, subscribeToBus, type ChatStore } from './chat-store.js';

const KEY = 'bff:chat';

/**
 * The chat's history in a Redis stream (capped at {@link CHAT_CAPACITY}, approximately),
 * whose ids order messages across every instance; new messages reach every instance's
 * streams through the bus. Ids are Redis stream ids, so a stream that reconnects to any
 * instance resumes with `XRANGE (lastEventId +`.
 */
export class RedisChatStore implements ChatStore {
  constructor(
    private readonly redis: RedisConnection,
    private readonly bus: Bus,
    private readonly capacity = CHAT_CAPACITY,
  ) {}

  async add(text: string, author: ChatMessage['author']): Promise<ChatMessage> {
    const sentAt = new Date().toISOString();
    const body = JSON.stringify({ text, author, sentAt });
    const id = String(await this.redis.command(KEY, ['XADD', KEY, 'MAXLEN', '~', String(this.capacity), '*', 'm', body]));
    const message: ChatMessage = { id, text, author, sentAt };
    // Stored already: a lost announcement is caught up by the next reconnect's resume.
    await this.bus.publish(CHAT_CHANNEL, JSON.stringify(message)).catch(() => undefined);
    return message;
  }

  async recent(limit: number): Promise<ChatMessage[]> {
    const entries = await this.redis.command(KEY, ['XREVRANGE', KEY, '+', '-', 'COUNT', String(limit)]);
    return parseEntries(entries).reverse();
  }

  async after(id: string): Promise<ChatMessage[]> {
    if (!/^\d+-\d+$/.test(id)) return [];
    return parseEntries(await this.redis.command(KEY, ['XRANGE', KEY, `(${id}`, '+', 'COUNT', String(this.capacity)]));
  }

  subscribe(listener: (message: ChatMessage) => void): () => void {
    return subscribeToBus(this.bus, listener);
  }

  async deleteBy(sub: string): Promise<number> {
    // The stream holds at most about `capacity` entries: one read finds them all.
    const mine = parseEntries(await this.redis.command(KEY, ['XRANGE', KEY, '-', '+', 'COUNT', String(this.capacity * 2)]))
      .filter((message) => message.author.sub === sub)
      .map((message) => message.id);
    if (mine.length === 0) return 0;
    return Number(await this.redis.command(KEY, ['XDEL', KEY, ...mine]));
  }
}

/** `XRANGE` replies: `[[id, [field, value, ...]], ...]`. */
function parseEntries(reply: unknown): ChatMessage[] {
  if (!Array.isArray(reply)) return [];
  const messages: ChatMessage[] = [];
  for (const entry of reply) {
    if (!Array.isArray(entry)) continue;
    const [id, fields] = entry as [unknown, unknown];
    if (typeof id !== 'string' || !Array.isArray(fields)) continue;
    const raw = fields[fields.indexOf('m') + 1];
    if (typeof raw !== 'string') continue;
    try {
      const { text, author, sentAt } = JSON.parse(raw) as Omit<ChatMessage, 'id'>;
      messages.push({ id, text, author, sentAt });
    } catch {
      // an unreadable entry is skipped
    }
  }
  return messages;
}
