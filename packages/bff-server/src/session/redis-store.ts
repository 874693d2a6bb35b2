import { createHash, randomBytes } from 'node:crypto';
import { RedisError, type RedisConnection, type RedisLogger } from '../cluster/redis-connection.js';
import type { SessionCipher } from './session-cipher.js';
import { SessionStoreUnavailableError, type Lease, type SessionData, type SessionMatch, type SessionStore, type StreamSlot } from './store.js';

export interface RedisSessionStoreOptions {
  /** Shared with the bus and others; the store never closes it. */
  readonly connection: RedisConnection;
  readonly cipher: SessionCipher;
  /** First segment of every key. Default `bff`. */
  readonly keyPrefix?: string;
  /** Where the "undecryptable record" warning goes. Default: the connection's logger. */
  readonly logger?: RedisLogger;
}

const PREFIX = /^[\w.:-]+$/;

type Read = { readonly state: 'absent' } | { readonly state: 'unreadable' } | { readonly state: 'live'; readonly session: SessionData };

function digest(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url');
}

function unexpected(reply: unknown): RedisError {
  return new RedisError('REDIS_UNEXPECTED_REPLY', { cause: new TypeError(`unexpected reply of type ${typeof reply}`) });
}

function matches(session: SessionData, match: SessionMatch): boolean {
  return 'idpSid' in match ? session.idpSid === match.idpSid : session.sub === match.sub;
}

/**
 * Sessions in Redis or a Redis Cluster, shared by every instance of the API (S19, S20, S21).
 *
 * Keys (`bff` = `keyPrefix`; `{…}` is the Cluster hash tag, so a session and its lease share a slot):
 * - `bff:s:{<id>}`: hash `v` = version, `d` = `cipher.seal(SessionData)`; PX = session TTL. The id is
 *   already the SHA-256 of the cookie handle; tokens, `sub` and `sid` only exist sealed. A record read
 *   back must hold its own id and version, so a blob copied under another key opens as nothing.
 * - `bff:lock:{<id>}`: the refresh lease, value = holder's random token, PX = lease TTL.
 * - `bff:streams:{<id>}`: the session's open live streams (S26), a sorted set of random slot tokens
 *   scored by the end of each slot's lease; it expires with its last lease.
 * - `bff:u:{<sha256(sub)>}`, `bff:p:{<sha256(sid)>}`: who has which sessions, for "signed-in devices"
 *   and back-channel logout. Sorted sets of ids scored by expiry, so that expired sessions drop out
 *   by themselves and the set expires with its longest-lived member.
 * - `bff:active`: the same for all sessions, for {@link count}. One hot key, but reading it is O(log n),
 *   where a SCAN over every master would read the whole keyspace on each call (metrics poll it).
 *
 * Expiry scores use the Redis server's clock (`TIME` in the scripts), the same clock as key TTLs,
 * so instances with skewed clocks agree. Index entries are written before the record, so a
 * failure half-way leaves at most a stale entry, never a session that back-channel logout
 * cannot find. For the same reason an entry whose record is missing is skipped on read but
 * not removed there (the record may be a `create` still on its way): `delete` removes its
 * entries, and any stale one leaves with its score.
 *
 * Every failure to reach Redis, or to get an answer in time, throws
 * {@link SessionStoreUnavailableError}; nothing is reported absent because Redis is down. A
 * record no secret can decrypt reads as absent (and is logged once), but is never deleted
 * on that ground: another instance may still hold the secret. Records sealed before the
 * sealing became jose's JWE (`v1.<key id>.<iv>.<data>`, hand-rolled AES-GCM) are not read
 * either: their sessions are unknown, and their users sign in again once.
 */
export class RedisSessionStore implements SessionStore {
  readonly kind: 'redis' | 'redis-cluster';
  readonly #redis: RedisConnection;
  readonly #cipher: SessionCipher;
  readonly #prefix: string;
  readonly #logger: RedisLogger;
  #warnedUnreadable = false;

  constructor(options: RedisSessionStoreOptions) {
    const prefix = options.keyPrefix ?? 'bff';
    // A brace in the prefix would become the hash tag and split a session from its lease.
    if (!PREFIX.test(prefix)) throw new TypeError(`Invalid keyPrefix "${prefix}": use letters, digits, '.', ':', '_' or '-'.`);
    this.kind = options.connection.kind;
    this.#redis = options.connection;
    this.#cipher = options.cipher;
    this.#prefix = prefix;
    this.#logger = options.logger ?? options.connection.logger;
  }

  get(id: string): Promise<SessionData | undefined> {
    return this.#guard(async () => {
      const read = await this.#read(id);
      return read.state === 'live' ? read.session : undefined;
    });
  }

  create(session: SessionData, ttlMs: number): Promise<void> {
    return this.#guard(async () => {
      await this.#index(session, ttlMs, 'create');
      await this.#redis.eval('bffSessionCreate', this.#sessionKey(session.id), [String(session.version), await this.#seal(session), String(ttlMs)]);
    });
  }

  update(session: SessionData, ttlMs: number): Promise<boolean> {
    return this.#guard(async () => {
      await this.#index(session, ttlMs, 'update');
      const reply = await this.#redis.eval('bffSessionUpdate', this.#sessionKey(session.id), [
        String(session.version),
        await this.#seal(session),
        String(ttlMs),
      ]);
      return reply === 1;
    });
  }

  delete(id: string): Promise<boolean> {
    return this.#guard(async () => {
      const read = await this.#read(id);
      const deleted = await this.#del(id);
      await this.#unindex(id, read.state === 'live' ? read.session : undefined);
      return deleted;
    });
  }

  deleteMatching(match: SessionMatch): Promise<string[]> {
    return this.#guard(async () => {
      const indexKey = 'idpSid' in match ? this.#idpSessionKey(match.idpSid) : this.#userKey(match.sub);
      const deleted: string[] = [];
      await Promise.all(
        (await this.#members(indexKey)).map(async (id) => {
          const read = await this.#read(id);
          if (read.state !== 'live') return;
          if (!matches(read.session, match)) {
            // Its sub or sid changed since it was indexed: it no longer belongs here.
            await this.#redis.command(indexKey, ['ZREM', indexKey, id]);
            return;
          }
          if (await this.#del(id)) deleted.push(id);
          await this.#unindex(id, read.session);
        }),
      );
      return deleted;
    });
  }

  listBySub(sub: string): Promise<SessionData[]> {
    return this.#guard(async () => {
      const reads = await Promise.all((await this.#members(this.#userKey(sub))).map((id) => this.#read(id)));
      return reads.flatMap((read) => (read.state === 'live' && read.session.sub === sub ? [read.session] : [])).sort((a, b) => a.createdAt - b.createdAt);
    });
  }

  count(): Promise<number> {
    return this.#guard(async () => {
      const reply = await this.#redis.eval('bffIndexLive', this.#activeKey(), ['count']);
      if (typeof reply !== 'number') throw unexpected(reply);
      return reply;
    });
  }

  lock(id: string, ttlMs: number): Promise<Lease | undefined> {
    return this.#guard(async () => {
      const key = this.#leaseKey(id);
      const token = randomBytes(16).toString('base64url');
      const reply = await this.#redis.command(key, ['SET', key, token, 'NX', 'PX', String(ttlMs)]);
      if (reply !== 'OK') return undefined;
      return {
        token,
        renew: () => this.#guard(async () => (await this.#redis.eval('bffLeaseRenew', key, [token, String(ttlMs)])) === 1),
        release: () =>
          this.#guard(async () => {
            await this.#redis.eval('bffLeaseRelease', key, [token]);
          }),
      };
    });
  }

  takeStreamSlot(id: string, max: number, leaseMs: number): Promise<StreamSlot | undefined> {
    return this.#guard(async () => {
      const key = this.#streamsKey(id);
      const token = randomBytes(16).toString('base64url');
      if ((await this.#redis.eval('bffSlotTake', key, [token, String(max), String(leaseMs)])) !== 1) return undefined;
      return {
        renew: () => this.#guard(async () => (await this.#redis.eval('bffSlotRenew', key, [token, String(leaseMs)])) === 1),
        release: () =>
          this.#guard(async () => {
            await this.#redis.command(key, ['ZREM', key, token]);
          }),
      };
    });
  }

  ping(): Promise<void> {
    return this.#guard(() => this.#redis.ping());
  }

  /** Nothing to release: the connection belongs to whoever created it (it is shared with the bus). */
  async close(): Promise<void> {}

  async #guard<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      // Every Redis failure, an unexpected error reply included, fails closed as "unavailable"
      // (503, no session created or ended by default); the cause keeps the code for the logs.
      if (error instanceof RedisError) throw new SessionStoreUnavailableError({ cause: error });
      throw error;
    }
  }

  async #read(id: string): Promise<Read> {
    const key = this.#sessionKey(id);
    const reply = await this.#redis.command(key, ['HMGET', key, 'v', 'd']);
    if (!Array.isArray(reply) || reply.length !== 2) throw unexpected(reply);
    const [version, sealed] = reply as unknown[];
    if (sealed === null || sealed === undefined) return { state: 'absent' };
    if (typeof sealed !== 'string' || typeof version !== 'string') throw unexpected(sealed);
    const session = (await this.#cipher.open(sealed)) as SessionData | undefined;
    if (!session || session.id !== id || session.version !== Number(version)) {
      this.#warnUnreadable();
      return { state: 'unreadable' };
    }
    return { state: 'live', session };
  }

  #seal(session: SessionData): Promise<string> {
    // Field by field, so that nothing a caller spread into the object is stored by accident,
    // and `satisfies` fails the build when SessionData gains a field this list lacks.
    const record = {
      id: session.id,
      version: session.version,
      sub: session.sub,
      name: session.name,
      email: session.email,
      idpSid: session.idpSid,
      accessToken: session.accessToken,
      accessTokenExpiresAt: session.accessTokenExpiresAt,
      tokensObtainedAt: session.tokensObtainedAt,
      idToken: session.idToken,
      refreshToken: session.refreshToken,
      logoutId: session.logoutId,
      createdAt: session.createdAt,
      lastSeenAt: session.lastSeenAt,
      device: session.device,
      userinfoGroups: session.userinfoGroups,
      acr: session.acr,
      authTime: session.authTime,
      downstreamTokens: session.downstreamTokens,
    } satisfies Record<keyof SessionData, unknown>;
    return this.#cipher.seal(record);
  }

  async #del(id: string): Promise<boolean> {
    const key = this.#sessionKey(id);
    return (await this.#redis.command(key, ['DEL', key])) === 1;
  }

  async #index(session: SessionData, ttlMs: number, reason: 'create' | 'update'): Promise<void> {
    const ttl = String(ttlMs);
    const add = (key: string, mode: '' | 'XX') => this.#redis.eval('bffIndexAdd', key, [session.id, ttl, mode]);
    await Promise.all([
      // The user and IdP-session indexes are (re)added even on update: a missing entry would hide
      // the session from back-channel logout, a superfluous one is only pruned later.
      add(this.#userKey(session.sub), ''),
      session.idpSid === undefined ? undefined : add(this.#idpSessionKey(session.idpSid), ''),
      // The count must not bring back a session deleted while this update was on its way.
      add(this.#activeKey(), reason === 'update' ? 'XX' : ''),
    ]);
  }

  async #unindex(id: string, session: SessionData | undefined): Promise<void> {
    const keys = [this.#activeKey()];
    if (session) keys.push(this.#userKey(session.sub));
    if (session?.idpSid !== undefined) keys.push(this.#idpSessionKey(session.idpSid));
    // Best effort once the record is gone: a stale entry is ignored and pruned on read.
    await Promise.all(keys.map((key) => this.#redis.command(key, ['ZREM', key, id]).catch(() => undefined)));
  }

  async #members(indexKey: string): Promise<string[]> {
    const reply = await this.#redis.eval('bffIndexLive', indexKey, ['members']);
    if (!Array.isArray(reply) || !reply.every((id): id is string => typeof id === 'string')) throw unexpected(reply);
    return reply;
  }

  #warnUnreadable(): void {
    if (this.#warnedUnreadable) return;
    this.#warnedUnreadable = true;
    // Typically a secret removed from SESSION_SECRET too early; once per process is enough to notice.
    this.#logger.warn('session_store_unreadable_record', { code: 'SESSION_UNREADABLE' });
  }

  #sessionKey(id: string): string {
    return `${this.#prefix}:s:{${id}}`;
  }

  #leaseKey(id: string): string {
    return `${this.#prefix}:lock:{${id}}`;
  }

  #streamsKey(id: string): string {
    return `${this.#prefix}:streams:{${id}}`;
  }

  #userKey(sub: string): string {
    return `${this.#prefix}:u:{${digest(sub)}}`;
  }

  #idpSessionKey(idpSid: string): string {
    return `${this.#prefix}:p:{${digest(idpSid)}}`;
  }

  #activeKey(): string {
    return `${this.#prefix}:active`;
  }
}
