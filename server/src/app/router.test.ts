import { describe, expect, it } from 'vitest';
import { TRPCError } from '@trpc/server';
import { appRouter } from './router.js';
import { createCallerFactory } from '../trpc/init.js';
import { createInnerContext, type Services } from '../trpc/context.js';
import type { AuthResult, AuthorizedUser } from '../session/authenticate.js';
import { SessionManager } from '../session/manager.js';
import { TokenRefresher } from '../oidc/refresh.js';
import { MemorySessionStore } from '../session/memory-store.js';
import { SessionStoreUnavailableError } from '../session/store.js';
import { MemoryBus } from '../cluster/bus.js';
import { MemoryChatStore } from './chat/chat-store.js';
import { Metrics, MemoryLoginCounter } from './analytics/metrics.js';
import { createLogger } from '../log.js';
import { IdpUnavailableError, type OidcService } from '../oidc/discovery.js';

const createCaller = createCallerFactory(appRouter);

function services(): Services {
  const store = new MemorySessionStore();
  const bus = new MemoryBus();
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
  return {
    sessions,
    oidc,
    refresher: new TokenRefresher({ oidc, sessions, logger, timeoutMs: 1000 }),
    chat: new MemoryChatStore(bus),
    metrics: new Metrics({ instance: 'test', logins: new MemoryLoginCounter() }),
    logger,
    authz: { roleMap: { analyst: ['analysts'] }, groupsClaim: 'groups' },
    limits: { hit: async () => ({ ok: true }) },
    backUrl: new URL('https://api.example.com'),
  };
}

async function signedIn(svc: Services, { groups, roles, ...user }: AuthorizedUser): Promise<() => Promise<AuthResult>> {
  const { session } = await svc.sessions.create({
    sub: user.sub,
    name: user.name,
    email: user.email,
    idpSid: undefined,
    accessToken: 'opaque-for-this-test',
    accessTokenExpiresAt: Date.now() + 60_000,
    tokensObtainedAt: Date.now(),
    idToken: 'id',
    refreshToken: undefined,
    device: { browser: 'Chrome', os: 'Linux' },
  });
  return async () => ({ ok: true, user, session, grants: async () => ({ groups, roles }) });
}

const alice: AuthorizedUser = { sub: 'alice', name: 'Alice Martin', email: 'alice@example.test', groups: ['analysts'], roles: ['analyst'] };
const bob: AuthorizedUser = { sub: 'bob', name: 'Bob Durand', email: null, groups: [], roles: [] };

async function codeOf(promise: Promise<unknown>): Promise<{ code: string; reason: unknown }> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TRPCError);
    const e = error as TRPCError;
    return { code: e.code, reason: (e.cause as { reason?: unknown } | undefined)?.reason };
  }
  throw new Error('expected the call to fail');
}

describe('procedures through createCaller', () => {
  it('me returns the user and a logout URL carrying the session sid', async () => {
    const svc = services();
    const me = await createCaller(createInnerContext(svc, await signedIn(svc, alice))).me();
    expect(me.user).toEqual(alice);
    expect(me.logoutUrl).toMatch(/^https:\/\/api\.example\.com\/api\/logout\?sid=[\w-]+$/);
  });

  it('chat.send takes the author from the session', async () => {
    const svc = services();
    const caller = createCaller(createInnerContext(svc, await signedIn(svc, bob)));
    const message = await caller.chat.send({ text: '  hi  ' });
    expect(message.author).toEqual({ sub: 'bob', name: 'Bob Durand' });
    expect(message.text).toBe('hi');
    expect(await caller.chat.history()).toEqual([message]);
  });

  it('analytics is FORBIDDEN without the analysts group and counts real calls with it', async () => {
    const svc = services();
    expect(await codeOf(createCaller(createInnerContext(svc, await signedIn(svc, bob))).analytics())).toEqual({ code: 'FORBIDDEN', reason: 'forbidden' });
    const caller = createCaller(createInnerContext(svc, await signedIn(svc, alice)));
    await caller.me();
    await caller.me();
    const stats = await caller.analytics();
    expect(stats.procedures.find((p) => p.path === 'me')).toMatchObject({ calls: 2, errors: 0 });
    expect(stats.procedures.find((p) => p.path === 'analytics')).toMatchObject({ calls: 1, errors: 1 });
    expect(stats.activeSessions).toBe(2);
  });

  it('maps a refused session to UNAUTHORIZED with its reason, and an unreachable IdP to SERVICE_UNAVAILABLE', async () => {
    const svc = services();
    const refused = createCaller(createInnerContext(svc, async () => ({ ok: false, reason: 'session_expired' })));
    expect(await codeOf(refused.me())).toEqual({ code: 'UNAUTHORIZED', reason: 'session_expired' });
    const down = createCaller(
      createInnerContext(svc, async () => {
        throw new IdpUnavailableError();
      }),
    );
    expect(await codeOf(down.chat.history())).toEqual({ code: 'SERVICE_UNAVAILABLE', reason: 'idp_unavailable' });
  });

  it('maps an unreachable session store to SERVICE_UNAVAILABLE with its reason, never UNAUTHORIZED (S20)', async () => {
    const svc = services();
    const down = createCaller(
      createInnerContext(svc, async () => {
        throw new SessionStoreUnavailableError();
      }),
    );
    expect(await codeOf(down.me())).toEqual({ code: 'SERVICE_UNAVAILABLE', reason: 'session_store_unavailable' });
  });

  it('resolves the session once per request, however many procedures need it', async () => {
    const svc = services();
    let resolutions = 0;
    const resolve = await signedIn(svc, alice);
    const ctx = createInnerContext(svc, () => {
      resolutions += 1;
      return resolve();
    });
    const caller = createCaller(ctx);
    await Promise.all([caller.me(), caller.chat.history(), caller.analytics()]);
    expect(resolutions).toBe(1);
  });
});
