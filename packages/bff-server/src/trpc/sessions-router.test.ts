import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, call, login, openStream, startStack, type Stack } from '@bff/test-kit';
import * as server from '../testing/test-app.js';
import type { Bff as Api } from '../bff.js';
import { deviceOf } from '../session/device.js';

let stack: Stack<Api>;
beforeAll(async () => {
  stack = await startStack(server);
});
afterAll(() => stack.close());

const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:131.0) Gecko/20100101 Firefox/131.0';
const SAFARI = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

/** A browser that signs in with a given User-Agent. */
async function signedIn(user: string, userAgent: string): Promise<Browser> {
  const browser = new Browser();
  const fetchWithAgent = browser.fetch.bind(browser);
  browser.fetch = (url, init = {}) => fetchWithAgent(url, { ...init, headers: { ...Object.fromEntries(new Headers(init.headers)), 'user-agent': userAgent } });
  await login(stack, browser, user);
  return browser;
}

describe('signed-in devices', () => {
  it("lists the user's own sessions with browser and OS, marks the current one, and hides handles", async () => {
    const laptop = await signedIn('alice', FIREFOX);
    const phone = await signedIn('alice', SAFARI);
    await signedIn('bob', FIREFOX);
    const list = (await call(stack, laptop, 'sessions.list')).body.result.data as Array<{
      id: string;
      browser: string;
      os: string;
      current: boolean;
      place: null;
    }>;
    expect(list).toHaveLength(2);
    expect(list.find((s) => s.current)).toMatchObject({ browser: 'Firefox', os: 'Windows', place: null });
    expect(list.find((s) => !s.current)).toMatchObject({ browser: 'Safari', os: 'iOS' });
    const cookies = [await laptop.cookie(`${stack.apiUrl}/`, 'bff_session'), await phone.cookie(`${stack.apiUrl}/`, 'bff_session')];
    for (const entry of list) {
      for (const cookie of cookies) {
        expect(cookie).toBeTruthy();
        expect(cookie).not.toContain(entry.id);
        expect(stack.api.sessions.idOf(cookie)).not.toBe(entry.id);
      }
    }
  });

  it('"sign out everywhere else" ends the other session at once: its next call is UNAUTHORIZED and its live stream closes', async () => {
    const laptop = await signedIn('alice', FIREFOX);
    const phone = await signedIn('alice', SAFARI);
    const stream = await openStream(stack, phone, 'chat.onMessage');
    expect(stream.response.status).toBe(200);
    const ended = await call(stack, laptop, 'sessions.revokeOthers', { mutation: true });
    expect(ended.body.result.data.ended).toBeGreaterThanOrEqual(1);
    expect((await call(stack, phone, 'me')).status).toBe(401);
    const started = Date.now();
    while (!stream.isClosed() && Date.now() - started < 3000) await new Promise((r) => setTimeout(r, 25));
    expect(stream.isClosed()).toBe(true);
    expect((await call(stack, laptop, 'me')).status).toBe(200);
    expect((await call(stack, laptop, 'sessions.list')).body.result.data).toHaveLength(1);
  });

  it("revokes one session by its listed id; nobody can see or end another user's sessions", async () => {
    const alice = await signedIn('alice', FIREFOX);
    const aliceElsewhere = await signedIn('alice', SAFARI);
    const bob = await signedIn('bob', FIREFOX);
    const aliceList = (await call(stack, alice, 'sessions.list')).body.result.data as Array<{ id: string; current: boolean }>;
    const other = aliceList.find((s) => !s.current);
    expect(other).toBeDefined();
    // bob never sees alice's sessions, and cannot end one even knowing its id
    const bobList = (await call(stack, bob, 'sessions.list')).body.result.data as Array<{ id: string }>;
    expect(bobList.map((s) => s.id)).not.toContain(other?.id);
    const refused = await call(stack, bob, 'sessions.revoke', { mutation: true, input: { id: other?.id } });
    expect(refused.status).toBe(404);
    expect((await call(stack, aliceElsewhere, 'me')).status).toBe(200);
    const revoked = await call(stack, alice, 'sessions.revoke', { mutation: true, input: { id: other?.id } });
    expect(revoked.status).toBe(200);
    expect((await call(stack, aliceElsewhere, 'me')).status).toBe(401);
  });

  it('names browser and OS families only', () => {
    expect(deviceOf(FIREFOX)).toEqual({ browser: 'Firefox', os: 'Windows' });
    expect(deviceOf(SAFARI)).toEqual({ browser: 'Safari', os: 'iOS' });
    expect(deviceOf('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36 Edg/156.0')).toEqual({
      browser: 'Edge',
      os: 'Linux',
    });
    expect(deviceOf(undefined)).toEqual({ browser: 'Unknown browser', os: 'Unknown OS' });
  });
});
