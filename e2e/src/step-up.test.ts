import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { launch } from './chromium.js';
import { startTopology, type Topology } from './stack/topology.js';
import { countIdpTrips, screenshot, signInAtIdp } from './journey.js';

/**
 * Step-up in the Angular app (S29): a password sign-in, "Delete all my messages" refused
 * for want of a second factor, the IdP's one-time-code page (no password asked again), back
 * on the chat page where the same click now succeeds, and the rest of the session intact.
 */
let topology: Topology;
let context: BrowserContext;
beforeAll(async () => {
  topology = await startTopology('same-site-http');
  context = await launch({ trustSpki: topology.trustSpki });
});
afterAll(async () => {
  await context?.close();
  await topology?.close();
});

describe('step-up in Chromium', () => {
  it('asks for the one-time code when deleting all my messages, then deletes them and keeps the session', async () => {
    const trips = countIdpTrips(context, topology);
    const page = await context.newPage();
    await page.goto(`${topology.front}/chat`);
    await signInAtIdp(page, topology, 'alice');
    await page.waitForURL(`${topology.front}/chat`);
    await page.waitForSelector('[data-testid=chat-messages]');
    const text = `before the step-up ${Date.now()}`;
    await page.fill('#chat-draft', text);
    await page.click('[data-testid=chat-send]');
    await page.locator('[data-testid=chat-message][data-own=true]', { hasText: text }).waitFor();

    // Refused for want of a second factor: the app goes to the IdP by itself, which asks only for the code.
    await page.click('[data-testid=chat-delete-mine]');
    await page.waitForSelector('input[name=code]');
    expect(page.url().startsWith(topology.idp)).toBe(true);
    expect(await page.locator('input[name=password]').count()).toBe(0);
    expect(await page.textContent('body')).toContain('123456');
    await screenshot(page, 'step-up-code');
    await page.fill('input[name=code]', '123456');
    await page.click('button[value=verify]');

    // Back where it was; the same click now passes.
    await page.waitForURL(`${topology.front}/chat`);
    await page.waitForSelector('[data-testid=chat-messages]');
    await page.click('[data-testid=chat-delete-mine]');
    await page.waitForSelector('[data-testid=chat-delete-notice]');
    expect(await page.textContent('[data-testid=chat-delete-notice]')).toContain('1 message deleted');
    expect(await page.locator('[data-testid=chat-message]', { hasText: text }).count()).toBe(0);
    expect(trips()).toBe(2);

    // The rest of the session is intact: still alice, the analyst's page still opens, a new message posts.
    expect(await page.textContent('[data-testid=header-user]')).toContain('Alice Martin');
    await page.goto(`${topology.front}/analytics`);
    await page.waitForSelector('[data-testid=calls-chart]');
    const me = await page.evaluate(async (api) => {
      const res = await fetch(`${api}/api/trpc/me`, { credentials: 'include', headers: { 'x-csrf': '1' } });
      return ((await res.json()) as { result: { data: { session: { acr?: string } } } }).result.data.session.acr;
    }, topology.api);
    expect(me).toBe('urn:bff:loa:mfa');
    expect(trips()).toBe(2);
  });
});
