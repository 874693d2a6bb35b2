import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, call, login, signInAt, startRedis, startStack, FRONT, type RedisServer, type Stack } from '@bff/test-kit';
import type { Bff as Api } from '@oidc-bff/server';
import * as server from './index.js';

let redis: RedisServer;
let stack: Stack<Api>;
beforeAll(async () => {
  redis = await startRedis();
  stack = await startStack(server, { env: { REDIS_URL: redis.url } });
});
afterAll(async () => {
  await stack.close();
  await redis.stop();
});

describe('chat.deleteMine over real HTTP, with the development IdP and Redis', () => {
  it('is refused to a password sign-in, then deletes only the caller’s messages after the one-time code', async () => {
    const alice = new Browser();
    const bob = new Browser();
    await Promise.all([login(stack, alice, 'alice'), login(stack, bob, 'bob')]);
    await call(stack, bob, 'chat.send', { mutation: true, input: { text: 'bob stays' } });
    await call(stack, alice, 'chat.send', { mutation: true, input: { text: 'alice goes' } });

    const refused = await call(stack, alice, 'chat.deleteMine', { mutation: true });
    expect(refused.status).toBe(401);
    expect(refused.body.error.data).toMatchObject({ reason: 'insufficient_user_authentication', acr_values: 'urn:bff:loa:mfa' });

    await signInAt(`${stack.apiUrl}/api/login?acr_values=urn%3Abff%3Aloa%3Amfa&returnTo=${encodeURIComponent(`${FRONT}/chat`)}`, alice, 'alice');
    const deleted = await call(stack, alice, 'chat.deleteMine', { mutation: true });
    expect(deleted.status).toBe(200);
    expect(deleted.body.result.data).toEqual({ deleted: 1 });
    const history = await call(stack, bob, 'chat.history');
    expect(history.body.result.data.map((m: { text: string }) => m.text)).toEqual(['bob stays']);
  });
});
