import type { Bus } from './bus.js';
import { errorCode, type RedisConnection, type RedisSubscriber } from './redis-connection.js';

export interface RedisBusOptions {
  /** Publishes through it and opens the bus's own subscriber connection from it; never closed by the bus. */
  readonly connection: RedisConnection;
  /** Channels are `<prefix>:bus:<channel>`, so deployments sharing a Redis do not hear each other. Default `bff`. */
  readonly channelPrefix?: string;
}

/**
 * The bus between the instances of one deployment, over Redis pub/sub (regular, not
 * sharded: on a Cluster a PUBLISH reaches the subscribers of every node, and the few
 * low-traffic channels of this API do not need sharding).
 *
 * Subscriptions use a connection of their own (a subscribed connection accepts no
 * other command); node-redis restores them after every reconnection. Delivery is at
 * most once, like the {@link Bus} contract says: messages published while an instance
 * is disconnected are not replayed to it.
 *
 * A failed publish rejects with the connection's `RedisError` (code `REDIS_TIMEOUT`,
 * `REDIS_UNAVAILABLE`, ...) and is not logged here: the caller knows whether the message
 * mattered. A failed subscribe is logged (`bus_subscribe_failed`), since `subscribe`
 * returns before Redis answers, and is retried by node-redis on the next reconnection.
 *
 * @example
 * const bus = await RedisBus.create({ connection });
 * const off = bus.subscribe('session-ended', (id) => closeStreams(id));
 * await bus.publish('session-ended', id);
 */
export class RedisBus implements Bus {
  readonly #connection: RedisConnection;
  readonly #subscriber: RedisSubscriber;
  readonly #prefix: string;
  readonly #listeners = new Map<string, Set<(message: string) => void>>();
  /** SUBSCRIBE and UNSUBSCRIBE go out in call order, so a quick unsubscribe/subscribe pair cannot end unsubscribed. */
  #changes: Promise<void> = Promise.resolve();

  private constructor(connection: RedisConnection, subscriber: RedisSubscriber, prefix: string) {
    this.#connection = connection;
    this.#subscriber = subscriber;
    this.#prefix = prefix;
  }

  /**
   * Opens the subscriber connection.
   * @throws {RedisError} `REDIS_STARTUP_FAILED` when it cannot connect within the command timeout.
   */
  static async create(options: RedisBusOptions): Promise<RedisBus> {
    const subscriber = await options.connection.createSubscriber();
    return new RedisBus(options.connection, subscriber, options.channelPrefix ?? 'bff');
  }

  /** @throws {RedisError} when Redis cannot be reached or does not answer in time. */
  async publish(channel: string, message: string): Promise<void> {
    await this.#connection.command(undefined, ['PUBLISH', this.#channel(channel), message]);
  }

  subscribe(channel: string, listener: (message: string) => void): () => void {
    let listeners = this.#listeners.get(channel);
    if (!listeners) {
      const created = new Set<(message: string) => void>();
      listeners = created;
      this.#listeners.set(channel, created);
      // One Redis subscription per channel, fanned out here; copying the set lets a listener unsubscribe itself.
      this.#change('bus_subscribe_failed', channel, () =>
        this.#subscriber.subscribe(this.#channel(channel), (message) => {
          for (const each of [...created]) each(message);
        }),
      );
    }
    listeners.add(listener);
    return () => {
      const current = this.#listeners.get(channel);
      if (!current?.delete(listener) || current.size > 0) return;
      this.#listeners.delete(channel);
      this.#change('bus_unsubscribe_failed', channel, () => this.#subscriber.unsubscribe(this.#channel(channel)));
    };
  }

  /**
   * Resolves once Redis has acknowledged (or refused) every subscribe and unsubscribe made
   * so far: messages published after that reach the listeners.
   */
  settled(): Promise<void> {
    return this.#changes;
  }

  /** Closes the subscriber connection (not the shared connection). */
  async close(): Promise<void> {
    this.#listeners.clear();
    // Not waiting for pending changes: while Redis is down they wait for a reconnection; closing rejects them.
    await this.#subscriber.close();
  }

  #change(event: string, channel: string, change: () => Promise<void>): void {
    this.#changes = this.#changes.then(change).catch((error: unknown) => this.#connection.logger.warn(event, { channel, code: errorCode(error) }));
  }

  #channel(channel: string): string {
    return `${this.#prefix}:bus:${channel}`;
  }
}
