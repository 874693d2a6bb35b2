import { createClient, createCluster, ErrorReply, TimeoutError, type RedisClientType, type RedisClusterOptions, type RedisClusterType } from 'redis';
import { SESSION_SCRIPTS, type SessionScript } from '../session/redis-scripts.js';

/** Why a Redis call failed; stable strings, safe to log. */
export type RedisErrorCode =
  /** No answer within `commandTimeoutMs`. */
  | 'REDIS_TIMEOUT'
  /** Not connected (reconnecting, closed, cluster down, loading, failing over). */
  | 'REDIS_UNAVAILABLE'
  /** The server answered with an error that retrying will not fix (a bug, not an outage). */
  | 'REDIS_ERROR_REPLY'
  /** The server answered something the caller did not expect. */
  | 'REDIS_UNEXPECTED_REPLY'
  /** {@link createRedisConnection} could not connect within its startup timeout. */
  | 'REDIS_STARTUP_FAILED';

/** A failed Redis call; `code` says why, `cause` holds node-redis's error. */
export class RedisError extends Error {
  constructor(
    readonly code: RedisErrorCode,
    options?: { cause?: unknown },
  ) {
    super(`Redis call failed: ${code}`, options);
    this.name = 'RedisError';
  }
}

/** The part of the application logger the connection writes to. */
export interface RedisLogger {
  warn(event: string, fields?: Record<string, unknown>): void;
  info(event: string, fields?: Record<string, unknown>): void;
}

export interface RedisConnectionOptions {
  /** `redis://` or `rediss://` (TLS) URL of one server, credentials included; never logged as is. */
  readonly url?: string;
  /** `host:port,host:port,...` of some nodes of a Redis Cluster (the rest is discovered). */
  readonly clusterNodes?: string;
  /** Bound of every call, from the moment it is made to its answer. */
  readonly commandTimeoutMs: number;
  readonly logger: RedisLogger;
  /** How long {@link createRedisConnection} waits for the first connection. Default 10 000 ms. */
  readonly startupTimeoutMs?: number;
  /** Longest pause between two reconnection attempts. Default 2 000 ms. */
  readonly maxReconnectDelayMs?: number;
  /**
   * PEM certificate(s) to trust for a `rediss://` server whose certificate is not signed by a
   * public CA (the alternative is `NODE_EXTRA_CA_CERTS`). Only with `url`.
   */
  readonly ca?: string;
}

/** The Lua scripts every connection registers with node-redis, which sends them by SHA1 and in full on NOSCRIPT. */
type Scripts = typeof SESSION_SCRIPTS;
/* eslint-disable @typescript-eslint/no-empty-object-type -- `{}` is node-redis's own default for "no modules, no functions" */
type Client = RedisClientType<{}, {}, Scripts>;
type Cluster = RedisClusterType<{}, {}, Scripts>;
/* eslint-enable @typescript-eslint/no-empty-object-type */

/** A connection that only listens: Redis forbids other commands on a subscribed connection. */
export interface RedisSubscriber {
  /** Adds `listener` to `channel`; subscriptions are restored by node-redis after every reconnection. */
  subscribe(channel: string, listener: (message: string) => void): Promise<void>;
  /** Removes every listener of `channel` (callers keep one listener per channel and fan out themselves). */
  unsubscribe(channel: string): Promise<void>;
  close(): Promise<void>;
}

/** The node-redis object behind a {@link RedisConnection}. */
export type NativeRedis = { readonly kind: 'redis'; readonly client: Client } | { readonly kind: 'redis-cluster'; readonly cluster: Cluster };

/**
 * One server or one Cluster behind the same small surface: raw commands routed by key,
 * Lua scripts, a subscriber, readiness. Every call is bounded by `commandTimeoutMs` and
 * fails fast with a {@link RedisError} while disconnected; reconnection is automatic and
 * never gives up.
 */
export interface RedisConnection {
  readonly kind: 'redis' | 'redis-cluster';
  readonly logger: RedisLogger;
  /**
   * The node-redis client or cluster, for libraries that need one (e.g. a rate limiter).
   * Calls made through it directly are not bounded by `commandTimeoutMs`.
   */
  readonly native: NativeRedis;
  /**
   * Sends one command. On a cluster it goes to the master of `key`'s slot (a random
   * node when `key` is undefined). Replies are node-redis's RESP3 mapping: strings,
   * numbers, null, arrays.
   * @throws {RedisError}
   */
  command(key: string | undefined, args: readonly string[]): Promise<unknown>;
  /**
   * Runs one of the registered Lua scripts atomically on the node of `key`, with `key` as
   * `KEYS[1]` and `args` as `ARGV`.
   * @throws {RedisError}
   */
  eval(script: SessionScript, key: string, args: readonly string[]): Promise<unknown>;
  /**
   * PINGs the server, or every master of the cluster (each holds a share of the keys).
   * @throws {RedisError}
   */
  ping(): Promise<void>;
  /** A separate connection for SUBSCRIBE, with the same target and options. */
  createSubscriber(): Promise<RedisSubscriber>;
  /** Whether commands can be sent now (every master is connected, on a cluster). */
  ready(): boolean;
  close(): Promise<void>;
}

const DEFAULT_STARTUP_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_RECONNECT_DELAY_MS = 2_000;
const CLOSE_TIMEOUT_MS = 2_000;

/** Error replies that mean "not now" rather than "never": the store is unavailable, not broken. */
const TRANSIENT_REPLIES = ['LOADING', 'CLUSTERDOWN', 'TRYAGAIN', 'MASTERDOWN', 'READONLY', 'BUSY', 'MOVED', 'ASK', 'OOM', 'MISCONF', 'NOREPLICAS'];

/** `rediss://user:pass@host:6380/0` → `rediss://***@host:6380/0`: safe for logs and health output. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const credentials = parsed.username || parsed.password ? '***@' : '';
    return `${parsed.protocol}//${credentials}${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return '[unparseable redis url]';
  }
}

// A log-safe name for an error (`ECONNREFUSED`, `REDIS_TIMEOUT`, a reply's `WRONGPASS`): the one error module's describer.
import { errorCode } from '../errors.js';
export { errorCode };

/**
 * Failures that another attempt will not fix until someone changes the configuration:
 * refused credentials, an untrusted or mismatched certificate.
 */
function isConfigurationError(error: unknown): boolean {
  const code = errorCode(error);
  return ['WRONGPASS', 'NOAUTH', 'NOPERM'].includes(code) || /CERT|ERR_TLS|SSL/.test(code);
}

function translate(error: unknown): RedisError {
  if (error instanceof RedisError) return error;
  if (error instanceof TimeoutError) return new RedisError('REDIS_TIMEOUT', { cause: error });
  if (error instanceof ErrorReply) {
    const kind = error.message.split(' ', 1)[0] ?? '';
    return new RedisError(TRANSIENT_REPLIES.includes(kind) ? 'REDIS_UNAVAILABLE' : 'REDIS_ERROR_REPLY', { cause: error });
  }
  // Offline, closed, socket errors, no reachable cluster node, aborted by our own deadline.
  return new RedisError('REDIS_UNAVAILABLE', { cause: error });
}

/**
 * Runs `operation` with a deadline. node-redis's own `timeout` only covers a command that
 * has not been written yet; once written, a stalled server would hold it forever, so
 * the deadline is also enforced here, around the whole call.
 */
async function bounded<T>(timeoutMs: number, operation: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new RedisError('REDIS_TIMEOUT'));
    }, timeoutMs);
  });
  try {
    // Promise.race observes the loser too, so a late rejection is never unhandled.
    const running = Promise.resolve()
      .then(() => operation(controller.signal))
      .catch((error: unknown) => Promise.reject(translate(error)));
    return await Promise.race([running, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function reconnectStrategy(maxDelayMs: number, phase: { started: boolean }): (retries: number, cause: Error) => number | Error {
  return (retries, cause) => {
    // At startup a wrong password or certificate ends the attempt at once; once running,
    // it is retried like any outage, so that fixing Redis's side is enough to recover (S20).
    if (!phase.started && isConfigurationError(cause)) return cause;
    // Capped exponential backoff with jitter, forever: instances must not all knock at
    // the same instant when Redis comes back.
    return Math.round(Math.min(maxDelayMs, 50 * 2 ** Math.min(retries, 16)) * (0.75 + Math.random() * 0.5));
  };
}

/** Logs the first error of an outage and the recovery, not every failed attempt in between. */
function outageLog(logger: RedisLogger, target: string): { error(error: unknown, node?: string): void; ready(node?: string): void } {
  const failing = new Map<string, string>();
  return {
    error(error, node = target) {
      const code = errorCode(error);
      if (failing.get(node) === code) return;
      failing.set(node, code);
      logger.warn('redis_error', { target: node, code });
    },
    ready(node = target) {
      if (failing.delete(node)) logger.info('redis_reconnected', { target: node });
    },
  };
}

function parseClusterNodes(list: string): Array<{ host: string; port: number }> {
  return list
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const at = entry.lastIndexOf(':');
      const host = entry.slice(0, at).replace(/^\[|\]$/g, '');
      const port = Number(entry.slice(at + 1));
      if (at <= 0 || !Number.isInteger(port) || port <= 0 || port > 65_535) {
        throw new TypeError(`Invalid cluster node "${entry}": expected host:port`);
      }
      return { host, port };
    });
}

/**
 * Connects to one Redis server (`url`) or a Redis Cluster (`clusterNodes`) and waits for
 * the first connection, at most `startupTimeoutMs`: a wrong address stops the start
 * instead of serving "unavailable" forever. After that, outages are ridden out:
 * commands fail fast with {@link RedisError} (`disableOfflineQueue`), the client keeps
 * reconnecting with capped backoff, and `ready()` tells health checks.
 *
 * Errors are logged as `{ event: 'redis_error', target, code }`: the target is the
 * redacted URL or `host:port`, the code an error code or class name; never a message,
 * which could carry connection details.
 *
 * @throws {RedisError} `REDIS_STARTUP_FAILED`
 * @throws {TypeError} when neither or both of `url` and `clusterNodes` are given, or they do not parse.
 */
export async function createRedisConnection(options: RedisConnectionOptions): Promise<RedisConnection> {
  const { url, clusterNodes, commandTimeoutMs, logger } = options;
  if ((url === undefined) === (clusterNodes === undefined)) throw new TypeError('Give exactly one of url and clusterNodes.');
  if (clusterNodes !== undefined && options.ca !== undefined) throw new TypeError('ca applies to a rediss:// url only.');
  const startupTimeoutMs = options.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS;
  const phase = { started: false };
  const socket = {
    connectTimeout: Math.max(1000, commandTimeoutMs),
    reconnectStrategy: reconnectStrategy(options.maxReconnectDelayMs ?? DEFAULT_MAX_RECONNECT_DELAY_MS, phase),
  };
  // maintNotifications would let a server relax our timeouts during its maintenance: our bound stays ours.
  const common = { disableOfflineQueue: true, maintNotifications: 'disabled', commandOptions: { timeout: commandTimeoutMs } } as const;

  if (url !== undefined) {
    const target = redactRedisUrl(url);
    if (!/^rediss?:\/\//.test(url)) throw new TypeError(`Redis URL ${target} must start with redis:// or rediss://`);
    if (options.ca !== undefined && !url.startsWith('rediss://')) throw new TypeError(`A CA is given for ${target}, which does not use TLS (rediss://).`);
    const log = outageLog(logger, target);
    let client: Client;
    try {
      client = createClient({ url, socket: options.ca === undefined ? socket : { ...socket, tls: true, ca: options.ca }, ...common, scripts: SESSION_SCRIPTS });
    } catch (error) {
      // node-redis quotes the URL, password included, in some of its messages: keep only its code.
      // eslint-disable-next-line preserve-caught-error -- the original error would carry the password
      throw new TypeError(`Invalid Redis URL ${target}`, { cause: errorCode(error) });
    }
    client.on('error', (error: unknown) => log.error(error)).on('ready', () => log.ready());
    await connectOrGiveUp(client.connect(), startupTimeoutMs, () => client.destroy());
    phase.started = true;
    logger.info('redis_connected', { target, kind: 'redis' });
    return new SingleConnection(client, commandTimeoutMs, logger, target);
  }

  const nodes = parseClusterNodes(clusterNodes ?? '');
  if (nodes.length === 0) throw new TypeError('clusterNodes lists no node.');
  const target = nodes.map((n) => `${n.host}:${n.port}`).join(',');
  const log = outageLog(logger, target);
  const defaults = { socket, ...common };
  const cluster: Cluster = createCluster({
    rootNodes: nodes.map(({ host, port }) => ({ socket: { host, port } })),
    defaults,
    commandOptions: common.commandOptions,
    scripts: SESSION_SCRIPTS,
  });
  cluster
    .on('error', (error: unknown) => log.error(error))
    .on('node-error', (error: unknown, node: { host?: string; port?: number } | undefined) => log.error(error, `${node?.host}:${node?.port}`))
    .on('node-ready', (node: { host?: string; port?: number } | undefined) => log.ready(`${node?.host}:${node?.port}`));
  await connectOrGiveUp(cluster.connect(), startupTimeoutMs, () => cluster.destroy());
  phase.started = true;
  logger.info('redis_connected', { target, kind: 'redis-cluster', masters: cluster.masters.length });
  return new ClusterConnection(cluster, defaults, commandTimeoutMs, logger, log);
}

async function connectOrGiveUp(connecting: Promise<unknown>, timeoutMs: number, destroy: () => void): Promise<void> {
  try {
    await bounded(timeoutMs, () => connecting);
  } catch (error) {
    destroy();
    const cause = error instanceof RedisError && error.code !== 'REDIS_TIMEOUT' ? error.cause : error;
    throw new RedisError('REDIS_STARTUP_FAILED', { cause });
  }
}

async function closeOrDestroy(target: { close(): Promise<unknown>; destroy(): void }): Promise<void> {
  // close() waits for pending replies; a stalled server must not hold the shutdown.
  try {
    await bounded(CLOSE_TIMEOUT_MS, () => target.close());
  } catch {
    target.destroy();
  }
}

abstract class BaseConnection implements RedisConnection {
  abstract readonly kind: 'redis' | 'redis-cluster';
  abstract readonly native: NativeRedis;

  constructor(
    protected readonly timeoutMs: number,
    readonly logger: RedisLogger,
  ) {}

  protected abstract send(key: string | undefined, args: readonly string[], signal: AbortSignal): Promise<unknown>;
  protected abstract run(script: SessionScript, key: string, args: readonly string[], signal: AbortSignal): Promise<unknown>;
  abstract ping(): Promise<void>;
  abstract createSubscriber(): Promise<RedisSubscriber>;
  abstract ready(): boolean;
  abstract close(): Promise<void>;

  command(key: string | undefined, args: readonly string[]): Promise<unknown> {
    return bounded(this.timeoutMs, (signal) => this.send(key, args, signal));
  }

  eval(script: SessionScript, key: string, args: readonly string[]): Promise<unknown> {
    // node-redis's EVALSHA, then EVAL on NOSCRIPT, both under the one deadline.
    return bounded(this.timeoutMs, (signal) => this.run(script, key, args, signal));
  }

  protected commandOptions(signal: AbortSignal): { timeout: number; abortSignal: AbortSignal } {
    return { timeout: this.timeoutMs, abortSignal: signal };
  }
}

class SingleConnection extends BaseConnection {
  readonly kind = 'redis';
  readonly native: NativeRedis;

  constructor(
    private readonly client: Client,
    timeoutMs: number,
    logger: RedisLogger,
    private readonly target: string,
  ) {
    super(timeoutMs, logger);
    this.native = { kind: 'redis', client };
  }

  protected send(_key: string | undefined, args: readonly string[], signal: AbortSignal): Promise<unknown> {
    return this.client.sendCommand([...args], this.commandOptions(signal));
  }

  protected run(script: SessionScript, key: string, args: readonly string[], signal: AbortSignal): Promise<unknown> {
    return this.client.withCommandOptions(this.commandOptions(signal))[script](key, args);
  }

  async ping(): Promise<void> {
    await this.command(undefined, ['PING']);
  }

  async createSubscriber(): Promise<RedisSubscriber> {
    // Subscriptions are state, not requests: queue them while offline, node-redis replays them on reconnect.
    const subscriber: Client = this.client.duplicate({ disableOfflineQueue: false });
    const log = outageLog(this.logger, `${this.target} (subscriber)`);
    subscriber.on('error', (error: unknown) => log.error(error)).on('ready', () => log.ready());
    await connectOrGiveUp(subscriber.connect(), this.timeoutMs, () => subscriber.destroy());
    return {
      subscribe: (channel, listener) => subscriber.subscribe(channel, listener),
      unsubscribe: (channel) => subscriber.unsubscribe(channel),
      close: () => closeOrDestroy(subscriber),
    };
  }

  ready(): boolean {
    return this.client.isReady;
  }

  close(): Promise<void> {
    return closeOrDestroy(this.client);
  }
}

class ClusterConnection extends BaseConnection {
  readonly kind = 'redis-cluster';
  readonly native: NativeRedis;

  constructor(
    private readonly cluster: Cluster,
    private readonly defaults: NonNullable<RedisClusterOptions['defaults']>,
    timeoutMs: number,
    logger: RedisLogger,
    private readonly log: ReturnType<typeof outageLog>,
  ) {
    super(timeoutMs, logger);
    this.native = { kind: 'redis-cluster', cluster };
  }

  protected send(key: string | undefined, args: readonly string[], signal: AbortSignal): Promise<unknown> {
    return this.cluster.sendCommand(key, false, [...args], this.commandOptions(signal));
  }

  protected run(script: SessionScript, key: string, args: readonly string[], signal: AbortSignal): Promise<unknown> {
    // The script's key (parser.pushKey) routes it to its slot's master, as for any command.
    return this.cluster.withCommandOptions(this.commandOptions(signal))[script](key, args);
  }

  ping(): Promise<void> {
    return bounded(this.timeoutMs, async (signal) => {
      const masters = this.cluster.masters;
      if (masters.length === 0) throw new RedisError('REDIS_UNAVAILABLE');
      await Promise.all(
        masters.map(async (master) => {
          const client = await this.cluster.nodeClient(master);
          await client.sendCommand(['PING'], this.commandOptions(signal));
        }),
      );
    });
  }

  async createSubscriber(): Promise<RedisSubscriber> {
    // A duplicate that only discovers the topology and opens the one pub/sub connection
    // node-redis picks; PUBLISH on any node reaches subscribers on every node.
    const subscriber: Cluster = this.cluster.duplicate({
      minimizeConnections: true,
      defaults: { ...this.defaults, disableOfflineQueue: false },
    });
    subscriber
      .on('error', (error: unknown) => this.log.error(error))
      .on('node-error', (error: unknown, node: { host?: string; port?: number } | undefined) =>
        this.log.error(error, `${node?.host}:${node?.port} (subscriber)`),
      )
      .on('node-ready', (node: { host?: string; port?: number } | undefined) => this.log.ready(`${node?.host}:${node?.port} (subscriber)`));
    await connectOrGiveUp(subscriber.connect(), this.timeoutMs, () => subscriber.destroy());
    return {
      subscribe: (channel, listener) => subscriber.subscribe(channel, listener),
      unsubscribe: (channel) => subscriber.unsubscribe(channel),
      close: () => closeOrDestroy(subscriber),
    };
  }

  ready(): boolean {
    return this.cluster.isReady && this.cluster.masters.every((master) => master.client?.isReady === true);
  }

  close(): Promise<void> {
    return closeOrDestroy(this.cluster);
  }
}
