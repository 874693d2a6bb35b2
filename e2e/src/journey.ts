import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { REPO_ROOT, type Topology } from './stack/topology.js';

/** Screenshots go to docs/screenshots when UPDATE_SCREENSHOTS=1 (for the README), else to e2e/test-results. */
const SCREENSHOT_DIR = process.env['UPDATE_SCREENSHOTS'] === '1' ? join(REPO_ROOT, 'docs/screenshots') : join(REPO_ROOT, 'e2e/test-results');

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** Counts the browser's trips to the IdP's authorization endpoint. */
export function countIdpTrips(context: BrowserContext, topology: Topology): () => number {
  let trips = 0;
  context.on('request', (req) => {
    const url = new URL(req.url());
    if (req.isNavigationRequest() && url.origin === topology.idp && url.pathname === '/auth') trips += 1;
  });
  return () => trips;
}

/** Fills the IdP's login form, which must be showing. */
export async function signInAtIdp(page: Page, topology: Topology, user: string, shot?: string): Promise<void> {
  await page.waitForSelector('input[name=login]');
  expect(page.url().startsWith(topology.idp)).toBe(true);
  await page.fill('input[name=login]', user);
  await page.fill('input[name=password]', user);
  if (shot) await screenshot(page, shot);
  await page.click('button[type=submit]');
}

/** Puts a session cookie back into the browser and calls `me` from the app's page, as a replay would. */
async function replayCookie(
  page: Page,
  topology: Topology,
  cookie: { name: string; value: string; domain: string; path: string; secure: boolean; sameSite: 'Lax' | 'None' | 'Strict' },
) {
  await page.context().addCookies([{ ...cookie, httpOnly: true }]);
  return page.evaluate(async (api) => {
    const res = await fetch(`${api}/api/trpc/me`, { credentials: 'include', headers: { 'x-csrf': '1' } });
    const body = (await res.json()) as { error?: { data?: { reason?: string } } };
    return { status: res.status, reason: body.error?.data?.reason };
  }, topology.api);
}

export interface JourneyOptions {
  /** Prefix for screenshots of the main pages, when wanted. */
  readonly screenshots?: string;
  readonly expectCookie: { readonly secure: boolean; readonly sameSite: 'Lax' | 'None' | 'Strict' };
  /** The reports page too: the topology runs the dev reports API as the downstream API `reports`. */
  readonly reports?: boolean;
}

/**
 * The whole user journey through the Angular app: a protected page sends alice to
 * the IdP and back to that page; chat, analytics, profile; sign out; the old cookie
 * is refused and a protected page asks for the IdP login again; bob is refused analytics.
 */
export async function fullJourney(context: BrowserContext, topology: Topology, options: JourneyOptions): Promise<void> {
  const page = await context.newPage();
  const shot = async (name: string) => {
    if (options.screenshots) await screenshot(page, `${options.screenshots}-${name}`);
  };

  if (options.screenshots) {
    await page.goto(`${topology.front}/`);
    await page.waitForSelector('[data-testid=header-sign-in]');
    await shot('home-signed-out');
  }

  await page.goto(`${topology.front}/chat`);
  await signInAtIdp(page, topology, 'alice', options.screenshots ? `${options.screenshots}-idp-login` : undefined);
  await page.waitForURL(`${topology.front}/chat`);
  await page.waitForSelector('[data-testid=chat-messages]');
  expect(await page.textContent('[data-testid=header-user]')).toContain('Alice Martin');

  // A second tab follows the chat live (server-sent events) and notices the sign-out later.
  const other = await context.newPage();
  await other.goto(`${topology.front}/chat`);
  await other.waitForSelector('[data-testid=chat-live][data-state=live]');

  const text = `hello from ${topology.name} ${Date.now()}`;
  await page.fill('#chat-draft', text);
  await page.click('[data-testid=chat-send]');
  const own = page.locator('[data-testid=chat-message][data-own=true]', { hasText: text });
  await own.waitFor();
  await other.locator('[data-testid=chat-message]', { hasText: text }).waitFor({ timeout: 2000 });
  await shot('chat');

  const [cookie] = (await context.cookies(topology.api)).filter((c) => c.name === topology.sessionCookie);
  expect(cookie).toMatchObject({ httpOnly: true, secure: options.expectCookie.secure, sameSite: options.expectCookie.sameSite, path: '/' });
  expect(cookie?.value).not.toMatch(/^eyJ/);

  await page.goto(`${topology.front}/analytics`);
  await page.waitForSelector('[data-testid=calls-chart]');
  // The sign-in just made is in the chart: the API's series of counts, drawn as the client expands it.
  expect(await page.locator('[data-testid=logins-column]').count()).toBeGreaterThan(0);
  expect(await page.locator('#logins-desc').textContent()).toMatch(/^[1-9]\d* sign-ins in the last hour/);
  await shot('analytics');

  if (options.reports) {
    // Both ways to the reports API: a procedure that calls it (the overview) and the page through /api/remote/reports/.
    const remote: string[] = [];
    const onRequest = (req: { url(): string }) => void remote.push(new URL(req.url()).pathname);
    page.on('request', onRequest);
    await page.goto(`${topology.front}/reports`);
    await page.waitForSelector('[data-testid=reports-summaries] tbody tr');
    expect(await page.textContent('[data-testid=reports-count]')).toBe('3');
    expect(await page.locator('[data-testid=reports-summaries] tbody tr').count()).toBe(3);
    expect(remote).toContain('/api/remote/reports/summaries');
    page.off('request', onRequest);
    await shot('reports');
  }

  await page.goto(`${topology.front}/profile`);
  await page.waitForSelector('[data-testid=profile-name]');
  expect(await page.textContent('[data-testid=profile-name]')).toContain('Alice Martin');
  await shot('profile');

  await page.click('[data-testid=profile-sign-out]');
  await page.waitForURL(`${topology.front}/`);
  await page.waitForSelector('[data-testid=header-sign-in]');
  await other.waitForURL(`${topology.front}/`);
  await other.waitForSelector('[data-testid=header-sign-in]');
  await other.close();
  expect((await context.cookies(topology.api)).filter((c) => c.name === topology.sessionCookie)).toEqual([]);

  if (!cookie) throw new Error('no session cookie');
  expect(await replayCookie(page, topology, cookie)).toEqual({ status: 401, reason: 'invalid_session' });
  await page.context().clearCookies({ name: topology.sessionCookie });

  // The IdP session ended too: the next protected page shows the IdP form again.
  await page.goto(`${topology.front}/profile`);
  await signInAtIdp(page, topology, 'bob');
  await page.waitForURL(`${topology.front}/profile`);
  await page.waitForSelector('[data-testid=profile-name]');
  expect(await page.textContent('[data-testid=profile-name]')).toContain('Bob Durand');
  await page.goto(`${topology.front}/analytics`);
  await page.waitForSelector('[data-testid=forbidden]');
  await shot('forbidden');
  await page.close();
}
