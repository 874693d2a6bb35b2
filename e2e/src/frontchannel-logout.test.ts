import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { FRONT, startRedis, startStack, type RedisServer, type Stack } from '@bff/test-kit';
import * as server from '@bff/server';
import { launch } from './chromium.js';

/**
 * OIDC Front-Channel Logout in a real browser: the development IdP without back-channel
 * logout (DEV_IDP_LOGOUT=frontchannel), two API instances on one Redis. A sign-out on the
 * IdP's own logout page loads the API's front-channel URI in an iframe, which ends the
 * session on both instances.
 */
let redis: RedisServer;
let stack: Stack<Awaited<ReturnType<typeof server.createApi>>>;
let b: Awaited<ReturnType<(typeof stack)['addInstance']>>;
let context: BrowserContext;
const FRONTCHANNEL_PATH = '/api/frontchannel-logout';

beforeAll(async () => {
  redis = await startRedis();
  stack = await startStack(server, { env: { REDIS_URL: redis.url }, devIdp: { logout: 'frontchannel' } });
  b = await stack.addInstance();
  context = await launch();
  // Nothing serves the front in this test: the browser lands on a stand-in page.
  await context.route(`${FRONT}/**`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<p>front</p>' }));
});
afterAll(async () => {
  await context?.close();
  await stack?.close();
  await redis?.stop();
});

/** `me` as the app calls it, with the browser's cookies, on one instance. */
async function meStatus(apiUrl: string): Promise<number> {
  const response = await context.request.get(`${apiUrl}/api/trpc/me`, { headers: { origin: FRONT, 'x-csrf': '1' } });
  return response.status();
}

describe('front-channel logout in Chromium', () => {
  it("signing out on the IdP's logout page ends the BFF session on both instances", async () => {
    const page = await context.newPage();
    await page.goto(`${stack.apiUrl}/api/login`);
    await page.fill('input[name=login]', 'alice');
    await page.fill('input[name=password]', 'alice');
    await page.click('button[type=submit]');
    await page.waitForURL(`${FRONT}/**`);
    expect(await meStatus(stack.apiUrl)).toBe(200);
    expect(await meStatus(b.apiUrl)).toBe(200);

    // What the IdP's page framed, and whether the browser let the API's page render in its frame.
    const framed: string[] = [];
    page.on('framenavigated', (frame) => {
      if (frame !== page.mainFrame()) framed.push(frame.url());
    });
    const refusals: string[] = [];
    page.on('console', (message) => {
      if (/Refused to (frame|display)/i.test(message.text())) refusals.push(message.text());
    });
    const frontchannel = page.waitForResponse((response) => response.url().startsWith(`${stack.apiUrl}${FRONTCHANNEL_PATH}?`));
    await page.goto(`${stack.idpUrl}/session/end`);
    const response = await frontchannel;
    expect(response.status()).toBe(200);
    await page.waitForSelector('text=You are signed out');

    const frame = new URL(framed.find((url) => url.startsWith(stack.apiUrl)) ?? 'about:blank');
    expect(frame.pathname).toBe(FRONTCHANNEL_PATH);
    expect(frame.searchParams.get('iss')).toBe(stack.idpUrl);
    expect(frame.searchParams.get('sid')).toBeTruthy();
    expect(framed.filter((url) => url.startsWith('chrome-error:'))).toEqual([]);
    expect(refusals).toEqual([]);

    expect(await meStatus(stack.apiUrl)).toBe(401);
    expect(await meStatus(b.apiUrl)).toBe(401);
    expect(stack.logs.some((line) => line.includes('"auth.frontchannel_logout"') && line.includes('"sessions":1'))).toBe(true);
  });
});
