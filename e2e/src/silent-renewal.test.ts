import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { launch } from './chromium.js';
import { startTopology, type Topology } from './stack/topology.js';
import { countIdpTrips, signInAtIdp } from './journey.js';

/**
 * Silent renewal in the Angular app: the IdP's refresh tokens live 4 s, far less than its own
 * session (a day), as enterprise SSOs often set them. When the BFF session ends at a refused
 * refresh, the app signs back in with prompt=none and no IdP page; once the IdP session has
 * ended too, the IdP answers login_required and the app falls back to its sign-in page.
 */
let topology: Topology;
let context: BrowserContext;
beforeAll(async () => {
  topology = await startTopology('same-site-http', { devIdp: { accessTokenTtl: 2, refreshTokenTtl: 4 } });
  context = await launch({ trustSpki: topology.trustSpki });
});
afterAll(async () => {
  await context?.close();
  await topology?.close();
});

/** How many IdP pages (sign-in forms) the browser was shown: answers of 200, not the redirects through its interactions. */
function countIdpPages(page: Page, t: Topology): () => number {
  let pages = 0;
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (response.request().isNavigationRequest() && url.origin === t.idp && url.pathname.startsWith('/interaction/') && response.status() === 200) pages += 1;
  });
  return () => pages;
}

/** Past the refresh token's lifetime: the next call's refresh is refused and the BFF session ends. */
const outliveRefreshToken = () => new Promise((resolve) => setTimeout(resolve, 6000));

describe('silent renewal in Chromium', () => {
  it('signs back in without an IdP page while the IdP session lives, and falls back to the sign-in page once it has ended', async () => {
    const trips = countIdpTrips(context, topology);
    const page = await context.newPage();
    const idpPages = countIdpPages(page, topology);
    await page.goto(`${topology.front}/profile`);
    await signInAtIdp(page, topology, 'alice');
    await page.waitForURL(`${topology.front}/profile`);
    await page.waitForSelector('[data-testid=header-user]');
    expect(idpPages()).toBe(1);

    await outliveRefreshToken();
    await page.reload();
    // Back on the page, signed in, after a second trip to the IdP that showed nothing.
    await page.waitForURL(`${topology.front}/profile`);
    await page.waitForSelector('[data-testid=header-user]');
    expect(await page.textContent('[data-testid=header-user]')).toContain('Alice Martin');
    expect(trips()).toBe(2);
    expect(idpPages()).toBe(1);

    // The IdP session ends too (its cookies are gone): prompt=none gets login_required, the app shows the sign-in page once.
    await context.clearCookies({ domain: new URL(topology.idp).hostname });
    await outliveRefreshToken();
    await page.reload();
    await signInAtIdp(page, topology, 'alice');
    await page.waitForURL(`${topology.front}/profile`);
    await page.waitForSelector('[data-testid=header-user]');
    expect(trips()).toBe(4);
    expect(idpPages()).toBe(2);
  });
});
