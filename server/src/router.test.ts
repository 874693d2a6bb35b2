import { describe, expect, it } from 'vitest';
import { TRPCError } from '@trpc/server';
import { createCallerFactory, MemoryBus, type AuthorizedUser } from '@oidc-bff/server';
import { createTestBff } from '@oidc-bff/server/testing';
import { appRouter } from './router.js';
import { MemoryChatStore } from './chat/chat-store.js';
import { Analytics, MemoryLoginCounter } from './analytics/metrics.js';

const createCaller = createCallerFactory(appRouter);

/** The app's services on a BFF for procedure tests, the analytics reading the BFF's metrics as in production. */
function testBff() {
  return createTestBff({
    metrics: true,
    app: ({ metrics }) => ({
      chat: new MemoryChatStore(new MemoryBus()),
      analytics: new Analytics({ instance: 'test', metrics, logins: new MemoryLoginCounter() }),
    }),
    roleMap: { analyst: ['analysts'] },
  });
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
  it("me (the BFF's) is merged with the app's procedures: the user and a logout URL carrying the session sid", async () => {
    const bff = testBff();
    const me = await createCaller(await bff.contextFor(alice)).me();
    expect(me.user).toEqual(alice);
    expect(me.logoutUrl).toMatch(/^https:\/\/api\.example\.com\/api\/logout\?sid=[\w-]+$/);
  });

  it('chat.send takes the author from the session', async () => {
    const bff = testBff();
    const caller = createCaller(await bff.contextFor(bob));
    const message = await caller.chat.send({ text: '  hi  ' });
    expect(message.author).toEqual({ sub: 'bob', name: 'Bob Durand' });
    expect(message.text).toBe('hi');
    expect(await caller.chat.history()).toEqual([message]);
  });

  it('chat.deleteMine needs a second factor: a password session is refused with what to ask for, an mfa one deletes only its own messages', async () => {
    const bff = testBff();
    const bobCaller = createCaller(await bff.contextFor(bob, { acr: 'urn:bff:loa:pwd' }));
    await bobCaller.chat.send({ text: 'from bob' });
    const aliceWeak = createCaller(await bff.contextFor(alice, { acr: 'urn:bff:loa:pwd' }));
    await aliceWeak.chat.send({ text: 'from alice' });
    await aliceWeak.chat.send({ text: 'again from alice' });

    const refused = await aliceWeak.chat.deleteMine().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TRPCError);
    expect((refused as TRPCError).code).toBe('UNAUTHORIZED');
    expect((refused as TRPCError).cause).toMatchObject({ reason: 'insufficient_user_authentication', challenge: { acr_values: 'urn:bff:loa:mfa' } });
    expect(await codeOf(createCaller(await bff.contextFor(alice)).chat.deleteMine())).toEqual({
      code: 'UNAUTHORIZED',
      reason: 'insufficient_user_authentication',
    });
    expect((await aliceWeak.chat.history()).length).toBe(3);

    const aliceStrong = createCaller(await bff.contextFor(alice, { acr: 'urn:bff:loa:mfa' }));
    expect(await aliceStrong.chat.deleteMine()).toEqual({ deleted: 2 });
    expect((await aliceStrong.chat.history()).map((m) => m.text)).toEqual(['from bob']);
    expect(await aliceStrong.chat.deleteMine()).toEqual({ deleted: 0 });
  });

  it('analytics is FORBIDDEN without the analysts group and counts real calls with it', async () => {
    const bff = testBff();
    expect(await codeOf(createCaller(await bff.contextFor(bob)).analytics())).toEqual({ code: 'FORBIDDEN', reason: 'forbidden' });
    const caller = createCaller(await bff.contextFor(alice));
    await caller.me();
    await caller.me();
    const stats = await caller.analytics();
    expect(stats.procedures.find((p) => p.path === 'me')).toMatchObject({ calls: 2, errors: 0 });
    expect(stats.procedures.find((p) => p.path === 'analytics')).toMatchObject({ calls: 1, errors: 1 });
    expect(stats.activeSessions).toBe(2);
  });
});
