import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PATHS } from '@oidc-bff/protocol';
import { Browser, call, FRONT, login, openStream, startRedis, startStack, type ApiTarget, type EventStream, type RedisServer, type Stack } from '@bff/test-kit';
import * as server from '../testing/test-app.js';
import type { Bff as Api } from '../bff.js';
import type { Config } from '../config/env.js';
import { createCallerFactory } from '../trpc/init.js';
import { createInnerContext } from '../trpc/context.js';
import { SessionManager } from './manager.js';
import { MemorySessionStore } from './memory-store.js';
import { MemoryBus } from '../cluster/bus.js';
import { NoteBoard, testRouter } from '../testing/test-app.js';
import { TokenRefresher } from '../oidc/refresh.js';
import { createLogger } from '../log.js';
import type { OidcService } from '../oidc/discovery.js';

/**
 * Live streams are bounded (S26), over real HTTP with the development IdP: a cap per
 * session, a maximum lifetime after which the client resumes from its last event id, and an
 * end at the session's idle or absolute expiry, or when its tokens can no longer be refreshed,
 * although nothing announces those; with Redis, the cap and the expiry hold across instances.
 */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The server module with session lifetimes shorter than SESSION_IDLE_TTL allows, so that tests wait seconds. */
function withSessionLifetimes(idleTtlSeconds: number, absoluteTtlSeconds: number): typeof server {
  return {
    ...server,
    loadConfig: (env: Parameters<typeof server.loadConfig>[0]): Config => {
      const config = server.loadConfig(env);
      return { ...config, session: { ...config.session, idleTtlSeconds, absoluteTtlSeconds } };
    },
  };
}

const connected = (stream: EventStream) => stream.waitFor((e) => e.event === 'connected', 5000);
const texts = (stream: EventStream) => stream.events.filter((e) => e.id).map((e) => (JSON.parse(e.data) as { text: string }).text);

interface Refusal {
  readonly httpStatus: number;
  readonly retryAfterSeconds: number;
  readonly data: Record<string, unknown>;
}

/**
 * Asks for `chat.onMessage` and says whether it opened, or how it was refused. tRPC refuses a
 * subscription with an error event in a 200 stream (the only form an EventSource lets a page
 * read: it sees neither status nor headers), whose data carries the HTTP status and
 * `retryAfterSeconds`; an endpoint that answers a refusal with its own status puts them in the
 * status line and `Retry-After`. The probe resumes from the start of the history, so an opened
 * stream shows itself at once with a message (the chat must hold one); it is closed again.
 */
async function refusalOf(target: ApiTarget, browser: Browser): Promise<Refusal | 'opened'> {
  const url = `${target.apiUrl}${API_PATHS.trpc}/chat.onMessage?input=${encodeURIComponent(JSON.stringify({ lastEventId: '0-0' }))}`;
  const response = await browser.fetch(url, { headers: { accept: 'text/event-stream', origin: FRONT } });
  if (response.status !== 200) {
    const body = JSON.parse(await response.text()) as { error: { data: Record<string, unknown> } };
    return { httpStatus: response.status, retryAfterSeconds: Number(response.headers.get('retry-after')), data: body.error.data };
  }
  const reader = response.body?.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const events = () =>
    text
      .split('\n\n')
      .slice(0, -1)
      .map((block) => ({ event: /^event: ?(.*)$/m.exec(block)?.[1] ?? 'message', data: /^data: ?(.*)$/m.exec(block)?.[1] ?? '' }));
  try {
    while (reader && !events().some((e) => e.event === 'message' || e.event === 'serialized-error')) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    await reader?.cancel();
  }
  const error = events().find((e) => e.event === 'serialized-error');
  if (!error) return 'opened';
  const data = (JSON.parse(error.data) as { data: Record<string, unknown> }).data;
  return { httpStatus: Number(data['httpStatus']), retryAfterSeconds: Number(data['retryAfterSeconds']), data };
}

const statusOf = async (target: ApiTarget, browser: Browser) => {
  const outcome = await refusalOf(target, browser);
  return outcome === 'opened' ? 200 : outcome.httpStatus;
};

describe('a cap on the streams of one session (TRPC_MAX_STREAMS_PER_SESSION, default 6)', () => {
  let stack: Stack<Api>;
  beforeAll(async () => {
    stack = await startStack(server);
  });
  afterAll(() => stack.close());

  it('refuses the 7th stream of a session with 429 too_many_streams and a Retry-After; other sessions still open theirs; closing one frees a slot', async () => {
    const alice = new Browser();
    const aliceElsewhere = new Browser();
    const bob = new Browser();
    await Promise.all([login(stack, alice, 'alice'), login(stack, aliceElsewhere, 'alice'), login(stack, bob, 'bob')]);
    await call(stack, bob, 'chat.send', { mutation: true, input: { text: 'for the probes to find' } });

    const six = await Promise.all(Array.from({ length: 6 }, () => openStream(stack, alice, 'chat.onMessage')));
    await Promise.all(six.map(connected));

    const refused = await refusalOf(stack, alice);
    expect(refused).not.toBe('opened');
    if (refused === 'opened') return;
    expect(refused.httpStatus).toBe(429);
    expect(refused.data).toMatchObject({ code: 'TOO_MANY_REQUESTS', reason: 'too_many_streams' });
    expect(refused.retryAfterSeconds).toBeGreaterThan(0);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);

    // The cap is per session: the same user signed in elsewhere, and another user, are not affected.
    const others = [await openStream(stack, aliceElsewhere, 'chat.onMessage'), await openStream(stack, bob, 'chat.onMessage')];
    await Promise.all(others.map(connected));

    // The streams still live: a message reaches all of them.
    await call(stack, bob, 'chat.send', { mutation: true, input: { text: 'to every tab' } });
    await Promise.all([...six, ...others].map((s) => s.waitFor((e) => e.data.includes('to every tab'))));

    await six[0]?.close();
    // The slot is given back as soon as the server sees that connection close.
    let seventh: EventStream | undefined;
    for (const started = Date.now(); !seventh && Date.now() - started < 3000; await sleep(100)) {
      const attempt = await openStream(stack, alice, 'chat.onMessage', { input: { lastEventId: '0-0' } });
      if ((await attempt.waitFor((e) => e.event === 'message' || e.event === 'serialized-error')).event === 'message') seventh = attempt;
      else await attempt.close();
    }
    expect(seventh).toBeDefined();
    expect(await statusOf(stack, alice)).toBe(429);
    await Promise.all([...six.slice(1), ...others, seventh].map((s) => s?.close()));
  });
});

describe('a maximum lifetime (TRPC_STREAM_MAX_LIFETIME)', () => {
  let stack: Stack<Api>;
  beforeAll(async () => {
    stack = await startStack(server, { env: { TRPC_STREAM_MAX_LIFETIME: '2' } });
  });
  afterAll(() => stack.close());

  it('ends a stream after its lifetime without a final event, and the reconnect with Last-Event-ID gets what was posted in between, once', async () => {
    const alice = new Browser();
    const bob = new Browser();
    await Promise.all([login(stack, alice, 'alice'), login(stack, bob, 'bob')]);
    const first = await openStream(stack, alice, 'chat.onMessage');
    const opened = Date.now();
    await connected(first);
    const before = (await call(stack, bob, 'chat.send', { mutation: true, input: { text: 'before' } })).body.result.data as { id: string };
    const seen = await first.waitFor((e) => e.data.includes('"before"'));
    expect(seen.id).toBe(before.id);

    await expect.poll(() => first.isClosed(), { timeout: 5000, interval: 50 }).toBe(true);
    const lived = Date.now() - opened;
    expect(lived).toBeGreaterThan(1500);
    expect(lived).toBeLessThan(4500);
    // Neither `return` (which tells the client not to come back) nor an error: a drop, which an EventSource reconnects.
    expect(first.events.map((e) => e.event).filter((e) => e === 'return' || e === 'serialized-error')).toEqual([]);

    await call(stack, bob, 'chat.send', { mutation: true, input: { text: 'gap one' } });
    await call(stack, bob, 'chat.send', { mutation: true, input: { text: 'gap two' } });
    // As the browser reconnects: the same URL, and the id of the last event it received in Last-Event-ID.
    const resumed = await openStream(stack, alice, 'chat.onMessage', { headers: { origin: FRONT, 'last-event-id': seen.id ?? '' } });
    await resumed.waitFor((e) => e.data.includes('"gap two"'));
    await call(stack, bob, 'chat.send', { mutation: true, input: { text: 'live again' } });
    await resumed.waitFor((e) => e.data.includes('"live again"'));
    expect(texts(resumed)).toEqual(['gap one', 'gap two', 'live again']);
    await resumed.close();
  });
});

describe("an end at the session's idle and absolute expiry, which nothing announces", () => {
  let stack: Stack<Api>;
  beforeAll(async () => {
    stack = await startStack(withSessionLifetimes(3, 7));
  });
  afterAll(() => stack.close());

  it('ends the stream of a session left idle (an open stream is no use of it), keeps that of a session in use until its absolute expiry', async () => {
    const idle = new Browser();
    const busy = new Browser();
    const sender = new Browser();
    await Promise.all([login(stack, idle, 'alice'), login(stack, busy, 'bob'), login(stack, sender, 'alice')]);
    const idleStream = await openStream(stack, idle, 'chat.onMessage');
    const busyStream = await openStream(stack, busy, 'chat.onMessage');
    const opened = Date.now();
    await Promise.all([connected(idleStream), connected(busyStream)]);
    const keepBusy = setInterval(() => void call(stack, busy, 'me'), 700);
    try {
      await sleep(1500);
      await call(stack, sender, 'chat.send', { mutation: true, input: { text: 'while idle' } });
      await idleStream.waitFor((e) => e.data.includes('"while idle"'));

      await expect.poll(() => idleStream.isClosed(), { timeout: 4000, interval: 50 }).toBe(true);
      expect(Date.now() - opened).toBeGreaterThan(2500);
      // The session ended: `return`, which tells the client that reconnecting would be refused.
      expect(idleStream.events.some((e) => e.event === 'return')).toBe(true);
      await call(stack, sender, 'chat.send', { mutation: true, input: { text: 'after the idle expiry' } });
      await busyStream.waitFor((e) => e.data.includes('"after the idle expiry"'));
      expect(texts(idleStream)).toEqual(['while idle']);
      expect((await call(stack, idle, 'me')).status).toBe(401);

      // Calls keep the other session alive past the idle lifetime, but not past the absolute one.
      expect(busyStream.isClosed()).toBe(false);
      await expect.poll(() => busyStream.isClosed(), { timeout: 6000, interval: 50 }).toBe(true);
      expect(Date.now() - opened).toBeGreaterThan(5500);
      expect(busyStream.events.some((e) => e.event === 'return')).toBe(true);
    } finally {
      clearInterval(keepBusy);
    }
    expect((await call(stack, busy, 'me')).status).toBe(401);
  });
});

describe('an end when the tokens can no longer be refreshed', () => {
  let stack: Stack<Api>;
  beforeAll(async () => {
    stack = await startStack(server, { accessTokenTtl: 2 });
  });
  afterAll(() => stack.close());

  it('refreshes the tokens of a stream left alone, and ends it once the IdP refuses the refresh token', async () => {
    const alice = new Browser();
    const bob = new Browser();
    await Promise.all([login(stack, alice, 'alice'), login(stack, bob, 'bob')]);
    const kept = await openStream(stack, alice, 'chat.onMessage');
    const revoked = await openStream(stack, bob, 'chat.onMessage');
    await Promise.all([connected(kept), connected(revoked)]);

    const grants = () => stack.idpRequests.filter((p) => p === '/token').length;
    const before = grants();
    const session = await stack.api.sessions.reload(stack.api.sessions.idOf((await bob.cookie(`${stack.apiUrl}/`, 'bff_session')) ?? '') ?? '');
    const discovery = (await (await fetch(`${stack.idpUrl}/.well-known/openid-configuration`)).json()) as { revocation_endpoint: string };
    const revocation = await fetch(discovery.revocation_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        token: session?.refreshToken ?? '',
        token_type_hint: 'refresh_token',
        client_id: stack.api.config.oidc.clientId,
        client_secret: stack.api.config.oidc.clientSecret,
      }),
    });
    expect(revocation.status).toBe(200);

    await expect.poll(() => revoked.isClosed(), { timeout: 5000, interval: 50 }).toBe(true);
    expect(revoked.events.some((e) => e.event === 'return')).toBe(true);
    // Alice's stream, with no calls either, had its tokens refreshed at their expiry and lives on.
    expect(grants()).toBeGreaterThan(before);
    expect(kept.isClosed()).toBe(false);
    await call(stack, alice, 'chat.send', { mutation: true, input: { text: 'still here' } });
    await kept.waitFor((e) => e.data.includes('"still here"'));
    expect((await call(stack, bob, 'me')).body.error.data).toMatchObject({ code: 'UNAUTHORIZED' });
    await kept.close();
  });
});

describe('on two instances sharing one Redis', () => {
  let redis: RedisServer;
  let stack: Stack<Api>;
  let b: Awaited<ReturnType<Stack<Api>['addInstance']>>;
  const A = () => ({ apiUrl: stack.apiUrl });
  const B = () => ({ apiUrl: b.apiUrl });

  beforeAll(async () => {
    redis = await startRedis();
    stack = await startStack(withSessionLifetimes(3, 3600), { env: { REDIS_URL: redis.url, REDIS_TIMEOUT_MS: '500' } });
    b = await stack.addInstance();
  }, 30_000);
  afterAll(async () => {
    await stack?.close();
    await redis?.stop();
  });

  it('counts the streams of a session on every instance: 3 on A and 3 on B leave no 7th on either, until one closes', async () => {
    const alice = new Browser();
    await login(A(), alice, 'alice');
    await call(A(), alice, 'chat.send', { mutation: true, input: { text: 'for the probes to find' } });
    const onA = await Promise.all([1, 2, 3].map(() => openStream(A(), alice, 'chat.onMessage')));
    const onB = await Promise.all([1, 2, 3].map(() => openStream(B(), alice, 'chat.onMessage')));
    await Promise.all([...onA, ...onB].map(connected));

    for (const target of [A(), B()]) {
      const refused = await refusalOf(target, alice);
      expect(refused).not.toBe('opened');
      if (refused !== 'opened') expect(refused.data).toMatchObject({ code: 'TOO_MANY_REQUESTS', httpStatus: 429, reason: 'too_many_streams' });
    }
    await onA[0]?.close();
    await expect.poll(() => statusOf(B(), alice), { timeout: 3000, interval: 100 }).toBe(200);
    await Promise.all([...onA.slice(1), ...onB].map((s) => s.close()));
  });

  it('ends, on B, the stream of a session signed in through A once it has been idle, and delivers nothing after', async () => {
    const alice = new Browser();
    const bob = new Browser();
    await Promise.all([login(A(), alice, 'alice'), login(A(), bob, 'bob')]);
    const stream = await openStream(B(), alice, 'chat.onMessage');
    const opened = Date.now();
    await connected(stream);
    await sleep(1000);
    await call(A(), bob, 'chat.send', { mutation: true, input: { text: 'across instances' } });
    await stream.waitFor((e) => e.data.includes('"across instances"'));

    await expect.poll(() => stream.isClosed(), { timeout: 5000, interval: 50 }).toBe(true);
    expect(Date.now() - opened).toBeGreaterThan(2500);
    expect(stream.events.some((e) => e.event === 'return')).toBe(true);
    await call(A(), bob, 'chat.send', { mutation: true, input: { text: 'after the idle expiry' } });
    await sleep(300);
    expect(texts(stream)).toEqual(['across instances']);
    expect((await call(A(), alice, 'me')).status).toBe(401);
  });
});

/** The in-memory bus, counting who listens on each channel. */
class CountingBus extends MemoryBus {
  readonly listening = new Map<string, number>();

  override subscribe(channel: string, listener: (message: string) => void): () => void {
    this.listening.set(channel, (this.listening.get(channel) ?? 0) + 1);
    const stop = super.subscribe(channel, listener);
    return () => {
      this.listening.set(channel, (this.listening.get(channel) ?? 0) - 1);
      stop();
    };
  }
}

describe('what a stream lets go of when it ends by itself', () => {
  it('at its lifetime, with no request to abort and no message to wake it, the source stops listening and the slot is free again', async () => {
    const bus = new CountingBus();
    const store = new MemorySessionStore();
    const sessions = new SessionManager({
      store,
      bus,
      secrets: ['x'.repeat(32)],
      idleTtlSeconds: 600,
      absoluteTtlSeconds: 3600,
      cookie: { name: 's', secure: false, sameSite: 'lax' },
    });
    const oidc = {} as OidcService;
    const logger = createLogger({ destination: { write: () => undefined } });
    const services = {
      sessions,
      oidc,
      refresher: new TokenRefresher({ oidc, sessions, logger, timeoutMs: 1000 }),
      hooks: {},
      logger,
      authz: { roleMap: {}, groupsClaim: 'groups' },
      limits: { hit: async () => ({ ok: true }) as const },
      streams: { maxPerSession: 1, maxLifetimeSeconds: 1 },
      backUrl: new URL('https://api.example.com'),
    };
    const { session } = await sessions.create({
      sub: 'alice',
      name: 'Alice',
      email: null,
      idpSid: undefined,
      accessToken: 'opaque-for-this-test',
      accessTokenExpiresAt: Date.now() + 60_000,
      tokensObtainedAt: Date.now(),
      idToken: 'id',
      refreshToken: undefined,
      device: { browser: 'Chrome', os: 'Linux' },
    });
    const caller = createCallerFactory(testRouter)(
      createInnerContext(services, { notes: new NoteBoard(bus, 'a') }, async () => ({
        ok: true,
        session,
        user: { sub: 'alice', name: 'Alice', email: null },
        grants: async () => ({ groups: [], roles: [] }),
      })),
    );
    const started = Date.now();
    const events = (await caller.chat.onMessage())[Symbol.asyncIterator]();
    const ended = events.next();
    await expect.poll(() => bus.listening.get('test-notes')).toBe(2);
    await expect(ended).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeGreaterThan(800);
    await expect.poll(() => bus.listening.get('test-notes'), { timeout: 1000 }).toBe(1);
    expect(bus.listening.get('session-ended')).toBe(0);
    expect(await store.takeStreamSlot(session.id, 1, 1000)).toBeDefined();
    await store.close();
  });
});
