import { afterEach, describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { launch } from './chromium.js';
import { startTopology, type Topology, type TopologyName } from './stack/topology.js';
import { countIdpTrips, fullJourney, screenshot, signInAtIdp } from './journey.js';

let topology: Topology | undefined;
let context: BrowserContext | undefined;

afterEach(async () => {
  await context?.close();
  await topology?.close();
  context = undefined;
  topology = undefined;
});

async function open(name: TopologyName, options: { allowThirdPartyCookies?: boolean } = {}) {
  topology = await startTopology(name);
  context = await launch({ trustSpki: topology.trustSpki, ...options });
  return { topology, context };
}

/** A response header of the API, as the browser receives it. */
async function header(c: BrowserContext, t: Topology, path: string, name: string): Promise<string | null> {
  const page = await c.newPage();
  try {
    const response = await page.goto(`${t.api}${path}`);
    return (await response?.allHeaders())?.[name] ?? null;
  } finally {
    await page.close();
  }
}

describe('deployment topologies in a real browser', () => {
  it('1. same site, different origins, over http (app.example.test → api.example.test): SameSite=Lax', async () => {
    const { topology: t, context: c } = await open('same-site-http');
    await fullJourney(c, t, { screenshots: 'journey', expectCookie: { secure: false, sameSite: 'Lax' }, reports: true });
  });

  it('2. same site over https: __Host- cookie, Secure, HSTS', async () => {
    const { topology: t, context: c } = await open('same-site-https');
    expect(t.sessionCookie).toBe('__Host-bff_session');
    expect(await header(c, t, '/api/health', 'strict-transport-security')).toMatch(/max-age=\d+/);
    await fullJourney(c, t, { expectCookie: { secure: true, sameSite: 'Lax' } });
  });

  it('3. same origin behind nginx terminating TLS, trust proxy set', async () => {
    const { topology: t, context: c } = await open('same-origin-proxy');
    expect(t.api).toBe(t.front);
    await fullJourney(c, t, { expectCookie: { secure: true, sameSite: 'Lax' }, reports: true });
  });

  it('4a. truly cross-site with third-party cookies blocked (browser default): explains instead of looping', async () => {
    const { topology: t, context: c } = await open('cross-site');
    const trips = countIdpTrips(c, t);
    const page = await c.newPage();
    await page.goto(`${t.front}/chat`);
    await signInAtIdp(page, t, 'alice');
    await page.waitForSelector('[data-testid=session-problem]');
    expect(page.url()).toContain('/session-problem');
    await page.waitForTimeout(1500); // nothing bounces afterwards
    expect(page.url()).toContain('/session-problem');
    expect(trips()).toBeLessThanOrEqual(2);
    await screenshot(page, 'cross-site-session-problem');
  });

  it('4b. truly cross-site with third-party cookies allowed: SameSite=None; Secure works', async () => {
    const { topology: t, context: c } = await open('cross-site', { allowThirdPartyCookies: true });
    await fullJourney(c, t, { expectCookie: { secure: true, sameSite: 'None' } });
  });

  it('6. two API instances on one Redis behind nginx round-robin: the whole journey, served by both', async () => {
    const { topology: t, context: c } = await open('two-instances');
    await fullJourney(c, t, { expectCookie: { secure: true, sameSite: 'Lax' }, reports: true });
    const apiLines = t
      .accessLog()
      .split('\n')
      .filter((line) => line.includes(' /api/'));
    for (const port of t.apiPorts) expect(apiLines.filter((line) => line.startsWith(`127.0.0.1:${port} `)).length).toBeGreaterThan(2);
    expect(apiLines.filter((line) => / 5\d\d$/.test(line))).toEqual([]);
  });

  it('7. npm run serve: the production server alone serves app and API on one origin, under a strict CSP with no violation', async () => {
    const { topology: t, context: c } = await open('serve');
    expect(t.api).toBe(t.front);
    const violations: string[] = [];
    c.on('console', (message) => {
      if (/Content[- ]Security[- ]Policy/i.test(message.text())) violations.push(message.text());
    });
    await c.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) =>
        // eslint-disable-next-line no-console -- runs in the page: the console is how the test hears of it
        console.error(`Content-Security-Policy violation: ${event.violatedDirective} ${event.blockedURI}`),
      );
    });
    const index = await fetch(`${t.front}/chat`);
    expect(index.headers.get('content-security-policy')).toMatch(/script-src 'self';/);
    expect(index.headers.get('content-security-policy')).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const html = await index.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(html).not.toMatch(/\son[a-z]+=/);
    const main = /src="(main-[A-Z0-9]+\.js)"/.exec(html)?.[1];
    const asset = await fetch(`${t.front}/${main}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(asset.headers.get('cache-control')).toMatch(/max-age=31536000, immutable/);
    expect(asset.headers.get('content-encoding')).toBe('gzip');
    expect(await (await fetch(`${t.front}/config.json`)).json()).toEqual({ apiUrl: t.front });
    await fullJourney(c, t, { expectCookie: { secure: false, sameSite: 'Lax' } });
    expect(violations).toEqual([]);
  });

  it('8. roles from the LDAP directory (nested groups, no group claim in the token): alice sees analytics, bob gets the forbidden page', async () => {
    const { topology: t, context: c } = await open('ldap-roles');
    await fullJourney(c, t, { expectCookie: { secure: false, sameSite: 'Lax' } });
  });

  it('9. FAPI 2.0: the whole journey against the dev IdP enforcing the FAPI 2.0 Security Profile', async () => {
    const { topology: t, context: c } = await open('fapi2');
    const pushed: string[] = [];
    c.on('request', (req) => {
      const url = new URL(req.url());
      if (url.origin === t.idp && url.pathname === '/auth' && req.isNavigationRequest()) pushed.push([...url.searchParams.keys()].sort().join(','));
    });
    await fullJourney(c, t, { expectCookie: { secure: false, sameSite: 'Lax' } });
    // Every authorization request went through PAR: the front channel carried only request_uri.
    expect(pushed.length).toBeGreaterThanOrEqual(2);
    expect(new Set(pushed)).toEqual(new Set(['client_id,request_uri']));
  });

  // 5. the npm start defaults: in npm-start.test.ts, beside the other users of npm start's fixed ports.
});
