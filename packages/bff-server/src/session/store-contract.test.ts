import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startRedis, startRedisCluster, type RedisCluster, type RedisServer } from '@bff/test-kit';
import { createRedisConnection, type RedisConnection } from '../cluster/redis-connection.js';
import { MemorySessionStore } from './memory-store.js';
import { RedisSessionStore } from './redis-store.js';
import { SessionCipher } from './session-cipher.js';
import { SessionStoreUnavailableError, type SessionData, type SessionStore } from './store.js';

const SECRET = 'contract-test-secret-0123456789abcdefghijklmnop';
const OTHER_SECRET = 'another-secret-nobody-rotated-in-0123456789abcd';
const COMMAND_TIMEOUT_MS = 500;

interface Logged {
  readonly level: 'info' | 'warn';
  readonly event: string;
  readonly fields: Record<string, unknown> | undefined;
}

function memoryLogger(lines: Logged[] = []) {
  return {
    lines,
    info: (event: string, fields?: Record<string, unknown>) => void lines.push({ level: 'info', event, fields }),
    warn: (event: string, fields?: Record<string, unknown>) => void lines.push({ level: 'warn', event, fields }),
  };
}

function connect(target: { url: string } | { clusterNodes: string }, logger = memoryLogger()): Promise<RedisConnection> {
  return createRedisConnection({ ...target, commandTimeoutMs: COMMAND_TIMEOUT_MS, maxReconnectDelayMs: 200, logger });
}

let sequence = 0;
/** The cookie value each test session's id is the hash of, to look for it in a dump. */
const handles = new Map<string, string>();

/** A session whose secrets are easy to look for in a dump. */
function newSession(overrides: Partial<SessionData> = {}): SessionData {
  const handle = randomBytes(32).toString('base64url');
  const n = ++sequence;
  const session: SessionData = {
    id: createHash('sha256').update(handle).digest('base64url'),
    version: 1,
    sub: `user-${n}-${randomBytes(4).toString('hex')}`,
    name: `Ada Lovelace ${n}`,
    email: `ada${n}@example.test`,
    idpSid: `idp-sid-${n}-${randomBytes(4).toString('hex')}`,
    accessToken: `ACCESS-TOKEN-${randomBytes(12).toString('hex')}`,
    accessTokenExpiresAt: Date.now() + 60_000,
    tokensObtainedAt: Date.now(),
    device: { browser: 'Firefox', os: 'Linux' },
    idToken: `ID-TOKEN-${randomBytes(12).toString('hex')}`,
    refreshToken: `REFRESH-TOKEN-${randomBytes(12).toString('hex')}`,
    logoutId: randomBytes(8).toString('hex'),
    createdAt: Date.now() + n,
    lastSeenAt: Date.now(),
    ...overrides,
  };
  handles.set(session.id, handle);
  return session;
}

interface Target {
  readonly name: string;
  readonly kind: string;
  setUp(): Promise<void>;
  tearDown(): Promise<void>;
  /** A store with nothing in it (a fresh key prefix for Redis). */
  createStore(): Promise<SessionStore>;
}

const memoryTarget: Target = {
  name: 'MemorySessionStore',
  kind: 'memory',
  setUp: async () => {},
  tearDown: async () => {},
  createStore: async () => new MemorySessionStore(),
};

function redisTarget(
  name: string,
  kind: 'redis' | 'redis-cluster',
  start: () => Promise<{ target: { url: string } | { clusterNodes: string }; stop(): Promise<void> }>,
): Target {
  let stop: (() => Promise<void>) | undefined;
  let connection: RedisConnection | undefined;
  return {
    name,
    kind,
    async setUp() {
      const started = await start();
      stop = started.stop;
      connection = await connect(started.target);
    },
    async tearDown() {
      await connection?.close();
      await stop?.();
    },
    async createStore() {
      if (!connection) throw new Error('setUp first');
      return new RedisSessionStore({ connection, cipher: new SessionCipher([SECRET]), keyPrefix: `t${++sequence}` });
    },
  };
}

// One cluster for the contract suite and the cluster-only tests: starting one takes about two seconds.
let sharedCluster: Promise<RedisCluster> | undefined;
const startSharedCluster = () => (sharedCluster ??= startRedisCluster(3));
afterAll(async () => {
  await (await sharedCluster)?.stop();
});

const targets: Target[] = [
  memoryTarget,
  redisTarget('RedisSessionStore on one redis-server', 'redis', async () => {
    const server = await startRedis();
    return { target: { url: server.url }, stop: () => server.stop() };
  }),
  redisTarget('RedisSessionStore on a 3-node Redis Cluster', 'redis-cluster', async () => {
    const cluster = await startSharedCluster();
    return { target: { clusterNodes: cluster.nodes }, stop: async () => {} };
  }),
];

describe.each(targets)('SessionStore contract: $name', (target) => {
  let store: SessionStore;

  beforeAll(() => target.setUp(), 20_000);
  afterAll(() => target.tearDown());
  beforeEach(async () => {
    store = await target.createStore();
  });
  afterEach(() => store.close());

  it('says what it is', () => {
    expect(store.kind).toBe(target.kind);
  });

  it('creates and gets a session; an unknown id is absent', async () => {
    const session = newSession();
    await store.create(session, 60_000);
    expect(await store.get(session.id)).toEqual(session);
    expect(await store.get(newSession().id)).toBeUndefined();
  });

  it('keeps a session without an IdP session id or refresh token', async () => {
    const session = newSession({ idpSid: undefined, refreshToken: undefined });
    await store.create(session, 60_000);
    expect(await store.get(session.id)).toEqual(session);
  });

  it('forgets a session after its TTL (get, listBySub, count)', async () => {
    const session = newSession();
    await store.create(session, 150);
    expect(await store.get(session.id)).toBeDefined();
    await sleep(350);
    expect(await store.get(session.id)).toBeUndefined();
    expect(await store.listBySub(session.sub)).toEqual([]);
    expect(await store.count()).toBe(0);
  });

  it('update is a compare-and-set on the version', async () => {
    const session = newSession();
    await store.create(session, 60_000);
    const v2 = { ...session, version: 2, accessToken: 'ACCESS-TOKEN-v2' };
    expect(await store.update(v2, 60_000)).toBe(true);
    expect(await store.get(session.id)).toEqual(v2);
    // A writer that read version 1 as well comes second: refused, nothing changes.
    expect(await store.update({ ...session, version: 2, accessToken: 'ACCESS-TOKEN-stale' }, 60_000)).toBe(false);
    expect(await store.update({ ...session, version: 5 }, 60_000)).toBe(false);
    expect(await store.get(session.id)).toEqual(v2);
  });

  it('update never resurrects a deleted, expired or unknown session', async () => {
    const deleted = newSession();
    await store.create(deleted, 60_000);
    await store.delete(deleted.id);
    expect(await store.update({ ...deleted, version: 2 }, 60_000)).toBe(false);
    expect(await store.get(deleted.id)).toBeUndefined();

    const expired = newSession();
    await store.create(expired, 100);
    await sleep(250);
    expect(await store.update({ ...expired, version: 2 }, 60_000)).toBe(false);
    expect(await store.get(expired.id)).toBeUndefined();

    const unknown = newSession({ version: 2 });
    expect(await store.update(unknown, 60_000)).toBe(false);
    expect(await store.get(unknown.id)).toBeUndefined();
    expect(await store.count()).toBe(0);
    expect(await store.listBySub(deleted.sub)).toEqual([]);
  });

  it('update sets a new TTL', async () => {
    const session = newSession();
    await store.create(session, 300);
    await sleep(150);
    expect(await store.update({ ...session, version: 2 }, 2_000)).toBe(true);
    await sleep(300);
    expect((await store.get(session.id))?.version).toBe(2);
  });

  it('deletes a session once', async () => {
    const session = newSession();
    await store.create(session, 60_000);
    expect(await store.delete(session.id)).toBe(true);
    expect(await store.get(session.id)).toBeUndefined();
    expect(await store.delete(session.id)).toBe(false);
  });

  it('deleteMatching by IdP session ends exactly that IdP session', async () => {
    const a1 = newSession({ sub: 'alice', idpSid: 'sid-x' });
    const a2 = newSession({ sub: 'alice', idpSid: 'sid-x' });
    const a3 = newSession({ sub: 'alice', idpSid: 'sid-y' });
    const b1 = newSession({ sub: 'bob', idpSid: 'sid-z' });
    for (const s of [a1, a2, a3, b1]) await store.create(s, 60_000);

    expect((await store.deleteMatching({ idpSid: 'sid-x' })).sort()).toEqual([a1.id, a2.id].sort());
    expect(await store.get(a1.id)).toBeUndefined();
    expect(await store.get(a2.id)).toBeUndefined();
    expect(await store.get(a3.id)).toEqual(a3);
    expect(await store.get(b1.id)).toEqual(b1);
    expect(await store.deleteMatching({ idpSid: 'sid-x' })).toEqual([]);
  });

  it('deleteMatching by user ends all their sessions and no one else’s', async () => {
    const a1 = newSession({ sub: 'carol', idpSid: 'sid-1' });
    const a2 = newSession({ sub: 'carol', idpSid: undefined });
    const b1 = newSession({ sub: 'dave', idpSid: 'sid-1' });
    for (const s of [a1, a2, b1]) await store.create(s, 60_000);
    await store.delete(a2.id);

    expect(await store.deleteMatching({ sub: 'carol' })).toEqual([a1.id]);
    expect(await store.get(a1.id)).toBeUndefined();
    expect(await store.get(b1.id)).toEqual(b1);
    expect(await store.deleteMatching({ sub: 'nobody' })).toEqual([]);
    expect(await store.count()).toBe(1);
  });

  it('deleteMatching goes by what the session holds now, not what it held when indexed', async () => {
    const session = newSession({ sub: 'grace', idpSid: 'sid-before' });
    await store.create(session, 60_000);
    const moved = { ...session, version: 2, idpSid: 'sid-after' };
    expect(await store.update(moved, 60_000)).toBe(true);
    expect(await store.deleteMatching({ idpSid: 'sid-before' })).toEqual([]);
    expect(await store.get(session.id)).toEqual(moved);
    expect(await store.deleteMatching({ idpSid: 'sid-after' })).toEqual([session.id]);
  });

  it('listBySub returns the live sessions of one user, latest versions', async () => {
    const a1 = newSession({ sub: 'erin' });
    const a2 = newSession({ sub: 'erin' });
    const a3 = newSession({ sub: 'erin' });
    const other = newSession({ sub: 'frank' });
    for (const s of [a1, a2, a3, other]) await store.create(s, 60_000);
    await store.delete(a3.id);
    const a2v2 = { ...a2, version: 2, lastSeenAt: a2.lastSeenAt + 1 };
    await store.update(a2v2, 60_000);

    const listed = await store.listBySub('erin');
    expect(listed.map((s) => s.id).sort()).toEqual([a1.id, a2.id].sort());
    expect(listed.find((s) => s.id === a2.id)).toEqual(a2v2);
    expect(await store.listBySub('nobody')).toEqual([]);
  });

  it('counts live sessions', async () => {
    expect(await store.count()).toBe(0);
    const sessions = [newSession(), newSession(), newSession()];
    for (const s of sessions) await store.create(s, 60_000);
    expect(await store.count()).toBe(3);
    await store.delete(sessions[0]?.id ?? '');
    await store.update({ ...(sessions[1] ?? newSession()), version: 2 }, 60_000);
    expect(await store.count()).toBe(2);
  });

  it('lock is exclusive; only the holder renews and releases', async () => {
    const id = newSession().id;
    const lease = await store.lock(id, 5_000);
    expect(lease).toBeDefined();
    expect(await store.lock(id, 5_000)).toBeUndefined();
    expect(await lease?.renew()).toBe(true);
    await lease?.release();
    const next = await store.lock(id, 5_000);
    expect(next).toBeDefined();
    // The first holder's lease is over: it can neither renew nor release the new holder's.
    expect(await lease?.renew()).toBe(false);
    await lease?.release();
    expect(await store.lock(id, 5_000)).toBeUndefined();
    expect(await next?.renew()).toBe(true);
    await next?.release();
  });

  it('leases of different sessions are independent', async () => {
    const a = await store.lock(newSession().id, 5_000);
    const b = await store.lock(newSession().id, 5_000);
    expect(a).toBeDefined();
    expect(b).toBeDefined();
  });

  it('a lease expires after its TTL and then belongs to the next taker', async () => {
    const id = newSession().id;
    const stale = await store.lock(id, 150);
    expect(stale).toBeDefined();
    await sleep(300);
    const fresh = await store.lock(id, 5_000);
    expect(fresh).toBeDefined();
    expect(fresh?.token).not.toBe(stale?.token);
    expect(await stale?.renew()).toBe(false);
    await stale?.release();
    expect(await store.lock(id, 5_000)).toBeUndefined();
  });

  it('gives a session at most `max` stream slots; a released one can be taken again; other sessions have their own', async () => {
    const id = newSession().id;
    const slots = await Promise.all(Array.from({ length: 3 }, () => store.takeStreamSlot(id, 3, 5_000)));
    expect(slots.every(Boolean)).toBe(true);
    expect(await store.takeStreamSlot(id, 3, 5_000)).toBeUndefined();
    expect(await store.takeStreamSlot(newSession().id, 3, 5_000)).toBeDefined();
    await slots[0]?.release();
    const again = await store.takeStreamSlot(id, 3, 5_000);
    expect(again).toBeDefined();
    expect(await store.takeStreamSlot(id, 3, 5_000)).toBeUndefined();
    expect(await slots[1]?.renew()).toBe(true);
  });

  it('frees a stream slot nobody renews after its lease (a crashed holder), and the old holder cannot renew it', async () => {
    const id = newSession().id;
    const kept = await store.takeStreamSlot(id, 2, 600);
    const abandoned = await store.takeStreamSlot(id, 2, 300);
    expect(await store.takeStreamSlot(id, 2, 5_000)).toBeUndefined();
    await sleep(200);
    expect(await kept?.renew()).toBe(true);
    await sleep(250);
    const next = await store.takeStreamSlot(id, 2, 5_000);
    expect(next).toBeDefined();
    expect(await abandoned?.renew()).toBe(false);
    expect(await kept?.renew()).toBe(true);
    expect(await store.takeStreamSlot(id, 2, 5_000)).toBeUndefined();
  });

  it('answers ping', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });
});

describe('RedisSessionStore on one redis-server', () => {
  let server: RedisServer;
  let connection: RedisConnection;
  const logs: Logged[] = [];

  beforeAll(async () => {
    server = await startRedis({ persistence: true });
    connection = await connect({ url: server.url }, memoryLogger(logs));
  });
  afterAll(async () => {
    await connection?.close();
    await server?.stop();
  });

  const storeWith = (secrets: readonly string[], keyPrefix: string) => new RedisSessionStore({ connection, cipher: new SessionCipher(secrets), keyPrefix });

  it('keeps nothing readable at rest: no token, sub, sid, name, email or cookie handle in any key or value', async () => {
    const store = storeWith([SECRET], 'rest');
    const session = newSession();
    await store.create(session, 60_000);
    await store.update({ ...session, version: 2 }, 60_000);
    const lease = await store.lock(session.id, 60_000);
    expect(lease).toBeDefined();

    const keys = (await server.cli('--scan', '--pattern', 'rest:*')).split('\n').filter(Boolean);
    expect(keys.sort()).toEqual(
      [
        'rest:active',
        `rest:lock:{${session.id}}`,
        `rest:p:{${createHash('sha256')
          .update(session.idpSid ?? '')
          .digest('base64url')}}`,
        `rest:s:{${session.id}}`,
        `rest:u:{${createHash('sha256').update(session.sub).digest('base64url')}}`,
      ].sort(),
    );
    let dump = keys.join('\n');
    for (const key of keys) {
      const type = await server.cli('type', key);
      const read = { string: ['get', key], hash: ['hgetall', key], zset: ['zrange', key, '0', '-1'], set: ['smembers', key] }[type];
      expect(read, `unexpected type ${type} of ${key}`).toBeDefined();
      dump += `\n${await server.cli(...(read ?? []))}`;
    }
    // The sealed record is there, a compact JWE (dir, A256GCM), and base64url hides nothing of what it holds.
    expect(dump).toContain(`${Buffer.from('{"alg":"dir","enc":"A256GCM"}').toString('base64url')}..`);
    dump += `\n${(dump.match(/[\w-]{16,}/g) ?? []).map((text) => Buffer.from(text, 'base64url').toString('latin1')).join('\n')}`;
    const secrets = [
      session.accessToken,
      session.refreshToken,
      session.idToken,
      session.sub,
      session.idpSid,
      session.name,
      session.email,
      session.logoutId,
      handles.get(session.id),
    ];
    for (const secret of secrets) {
      expect(secret).toBeTruthy();
      expect(dump).not.toContain(secret ?? '');
    }
  });

  it('reads a record no secret opens as absent, warns once, and leaves it for instances that can', async () => {
    const writer = storeWith([SECRET], 'rotated');
    const stranger = storeWith([OTHER_SECRET], 'rotated');
    const session = newSession();
    await writer.create(session, 60_000);

    const warnings = () => logs.filter((l) => l.event === 'session_store_unreadable_record').length;
    const before = warnings();
    expect(await stranger.get(session.id)).toBeUndefined();
    expect(await stranger.get(session.id)).toBeUndefined();
    expect(await stranger.listBySub(session.sub)).toEqual([]);
    expect(await stranger.deleteMatching({ sub: session.sub })).toEqual([]);
    expect(warnings() - before).toBe(1);
    expect(await writer.get(session.id)).toEqual(session);

    // Rotation: a store with [new, old] reads it, and what it writes the old list cannot.
    const rotated = storeWith([OTHER_SECRET, SECRET], 'rotated');
    expect(await rotated.get(session.id)).toEqual(session);
    expect(await rotated.update({ ...session, version: 2 }, 60_000)).toBe(true);
    expect(await writer.get(session.id)).toBeUndefined();
  });

  it('a blob copied under another session id does not open', async () => {
    const store = storeWith([SECRET], 'moved');
    const victim = newSession();
    const attacker = newSession();
    await store.create(victim, 60_000);
    await store.create(attacker, 60_000);
    const sealed = await server.cli('hget', `moved:s:{${victim.id}}`, 'd');
    await server.cli('hset', `moved:s:{${attacker.id}}`, 'd', sealed);
    expect(await store.get(attacker.id)).toBeUndefined();
  });

  it('runs its scripts again after the server forgot them (SCRIPT FLUSH): node-redis sends their source on NOSCRIPT', async () => {
    const store = storeWith([SECRET], 'flushed');
    const session = newSession();
    await store.create(session, 60_000);
    await server.cli('script', 'flush');
    expect(await store.update({ ...session, version: 2 }, 60_000)).toBe(true);
    expect(await store.count()).toBe(1);
    expect(await store.get(session.id)).toMatchObject({ id: session.id, version: 2 });
  });

  it('a stalled server: every call throws SessionStoreUnavailableError within the timeout', async () => {
    const store = storeWith([SECRET], 'stall');
    const session = newSession();
    await store.create(session, 60_000);
    server.freeze();
    try {
      const started = Date.now();
      await expect(store.get(session.id)).rejects.toBeInstanceOf(SessionStoreUnavailableError);
      await expect(store.update({ ...session, version: 2 }, 60_000)).rejects.toBeInstanceOf(SessionStoreUnavailableError);
      expect(Date.now() - started).toBeLessThan(2 * COMMAND_TIMEOUT_MS + 400);
    } finally {
      server.thaw();
    }
    await vi.waitFor(async () => expect(await store.get(session.id)).toEqual(session), { timeout: 5_000, interval: 100 });
  });

  it('store unavailable: throws instead of answering "absent", then serves the same session after a restart', async () => {
    const store = storeWith([SECRET], 'outage');
    const session = newSession();
    await store.create(session, 60_000);
    await server.stop();
    try {
      const started = Date.now();
      const calls: Array<() => Promise<unknown>> = [
        () => store.get(session.id),
        () => store.create(newSession(), 60_000),
        () => store.update({ ...session, version: 2 }, 60_000),
        () => store.delete(session.id),
        () => store.deleteMatching({ sub: session.sub }),
        () => store.listBySub(session.sub),
        () => store.count(),
        () => store.lock(session.id, 1_000),
        () => store.ping(),
      ];
      for (const call of calls) await expect(call()).rejects.toBeInstanceOf(SessionStoreUnavailableError);
      expect(Date.now() - started).toBeLessThan(calls.length * COMMAND_TIMEOUT_MS);
      expect(connection.ready()).toBe(false);
    } finally {
      await server.start();
    }
    await vi.waitFor(() => expect(connection.ready()).toBe(true), { timeout: 5_000, interval: 50 });
    expect(await store.get(session.id)).toEqual(session);
    expect(await store.count()).toBe(1);
    const errors = logs.filter((l) => l.event === 'redis_error');
    expect(errors.length).toBeGreaterThan(0);
    for (const line of errors) expect(Object.keys(line.fields ?? {}).sort()).toEqual(['code', 'target']);
    expect(logs.some((l) => l.event === 'redis_reconnected')).toBe(true);
  });
});

describe('RedisSessionStore on a Redis Cluster', () => {
  let cluster: RedisCluster;
  let connection: RedisConnection;

  beforeAll(async () => {
    cluster = await startSharedCluster();
    connection = await connect({ clusterNodes: cluster.nodes });
  }, 20_000);
  afterAll(() => connection?.close());

  it('puts a session and its lease in one slot, and spreads sessions over the masters', async () => {
    const store = new RedisSessionStore({ connection, cipher: new SessionCipher([SECRET]), keyPrefix: 'slots' });
    const sessions = Array.from({ length: 12 }, () => newSession());
    for (const s of sessions) await store.create(s, 60_000);
    const slots = new Set<string>();
    for (const s of sessions) {
      const slot = await cluster.cli('cluster', 'keyslot', `slots:s:{${s.id}}`);
      expect(await cluster.cli('cluster', 'keyslot', `slots:lock:{${s.id}}`)).toBe(slot);
      slots.add(slot);
    }
    expect(slots.size).toBeGreaterThan(1);
    expect(await store.count()).toBe(12);
    expect(connection.ready()).toBe(true);
  });

  it('runs its scripts on the master of each key again after every master forgot them (SCRIPT FLUSH)', async () => {
    const store = new RedisSessionStore({ connection, cipher: new SessionCipher([SECRET]), keyPrefix: 'flushed' });
    const sessions = Array.from({ length: 8 }, () => newSession());
    for (const s of sessions) await store.create(s, 60_000);
    const { native } = connection;
    if (native.kind !== 'redis-cluster') throw new Error('expected a cluster connection');
    for (const master of native.cluster.masters) await (await native.cluster.nodeClient(master)).sendCommand(['SCRIPT', 'FLUSH']);
    for (const s of sessions) expect(await store.update({ ...s, version: 2 }, 60_000)).toBe(true);
    expect(await store.count()).toBe(8);
  });
});
