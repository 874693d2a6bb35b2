import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, call, login, openStream, startStack, type Stack } from '@bff/test-kit';
import * as server from './index.js';
import type { Bff as Api } from '@oidc-bff/server';

let stack: Stack<Api>;
beforeAll(async () => {
  stack = await startStack(server);
});
afterAll(() => stack.close());

/** Opens `chat.onMessage` as an EventSource would. */
const subscribe = (browser: Browser, headers?: Record<string, string>) => openStream(stack, browser, 'chat.onMessage', headers ? { headers } : {});

describe('live chat over SSE (chat.onMessage)', () => {
  it('delivers a message sent by another user within a second', async () => {
    const alice = new Browser();
    const bob = new Browser();
    await login(stack, alice, 'alice');
    await login(stack, bob, 'bob');
    const stream = await subscribe(alice);
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get('content-type')).toContain('text/event-stream');
    await expect.poll(() => stream.events.some((e) => e.event === 'connected'), { timeout: 5000 }).toBe(true);

    const sentAt = Date.now();
    await call(stack, bob, 'chat.send', { mutation: true, input: { text: 'live hello' } });
    await expect.poll(() => stream.events.find((e) => e.data.includes('live hello')), { timeout: 1000, interval: 10 }).toBeDefined();
    expect(Date.now() - sentAt).toBeLessThan(1000);
    const message = JSON.parse(stream.events.find((e) => e.data.includes('live hello'))?.data ?? '{}');
    expect(message).toMatchObject({ text: 'live hello', author: { sub: 'bob', name: 'Bob Durand' } });
    await stream.close();
  });

  it('refuses a foreign Origin, and a request that does not show where it comes from', async () => {
    const alice = new Browser();
    await login(stack, alice, 'alice');
    const foreign = await subscribe(alice, { origin: 'http://evil.example' });
    expect(foreign.response.status).toBe(403);
    const anonymous = await subscribe(alice, {});
    expect(anonymous.response.status).toBe(403);
    const sameOrigin = await subscribe(alice, { 'sec-fetch-site': 'same-origin' });
    expect(sameOrigin.response.status).toBe(200);
    await Promise.all([foreign.close(), anonymous.close(), sameOrigin.close()]);
  });

  it('refuses a caller without a session with a typed error event, then closes', async () => {
    const stream = await subscribe(new Browser());
    await expect.poll(() => stream.isClosed(), { timeout: 5000 }).toBe(true);
    const error = stream.events.find((e) => e.event === 'serialized-error');
    expect(JSON.parse(error?.data ?? '{}').data).toMatchObject({ code: 'UNAUTHORIZED', reason: 'no_session' });
    await stream.close();
  });

  it('closes the stream when the session is logged out', async () => {
    const alice = new Browser();
    await login(stack, alice, 'alice');
    const stream = await subscribe(alice);
    await expect.poll(() => stream.events.some((e) => e.event === 'connected'), { timeout: 5000 }).toBe(true);
    const { logoutUrl } = (await call(stack, alice, 'me')).body.result.data;
    await alice.fetch(logoutUrl);
    await expect.poll(() => stream.isClosed(), { timeout: 5000 }).toBe(true);
    await stream.close();
  });
});
