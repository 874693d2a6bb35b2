import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_HEADER, CSRF_HEADER_VALUE } from '@oidc-bff/protocol';
import { Browser, call, FRONT, login, signInAt, startStack, type Stack } from '@bff/test-kit';
import * as server from '../testing/test-app.js';
import type { Bff as Api } from '../bff.js';

const HEADERS = { origin: FRONT, [CSRF_HEADER]: CSRF_HEADER_VALUE };

let stack: Stack<Api>;
beforeAll(async () => {
  stack = await startStack(server, { reports: 'exchange' });
});
afterAll(() => stack?.close());

describe('a downstream API asking for step-up (RFC 9470) through the remote-API proxy', () => {
  it('relays the challenge as a typed 401 with WWW-Authenticate, renews no token for it, and passes after the step-up', async () => {
    const browser = new Browser();
    await login(stack, browser, 'alice');
    const exchangesBefore = stack.logs.filter((line) => line.includes('"downstream.token"')).length;
    const refused = await browser.fetch(`${stack.apiUrl}/api/remote/reports/exports`, { headers: HEADERS });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer error="insufficient_user_authentication", acr_values="urn:bff:loa:mfa"');
    expect(refused.headers.get('access-control-expose-headers')?.toLowerCase()).toContain('www-authenticate');
    const body = (await refused.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ error: 'insufficient_user_authentication', acr_values: 'urn:bff:loa:mfa', api: 'reports' });
    // The API's own description is not passed on.
    expect(JSON.stringify(body)).not.toContain('second factor');
    // One token obtained for the call, none renewed because of the challenge.
    expect(stack.logs.filter((line) => line.includes('"downstream.token"')).length - exchangesBefore).toBeLessThanOrEqual(1);

    await signInAt(`${stack.apiUrl}/api/login?acr_values=urn%3Abff%3Aloa%3Amfa&returnTo=${encodeURIComponent(`${FRONT}/reports`)}`, browser, 'alice');
    const passed = await browser.fetch(`${stack.apiUrl}/api/remote/reports/exports`, { headers: HEADERS });
    expect(passed.status).toBe(200);
    expect(await passed.json()).toMatchObject({ owner: 'alice' });
  });

  it('refuses a procedure whose downstream call meets the challenge with the same typed refusal, then lets it pass after the step-up', async () => {
    const browser = new Browser();
    await login(stack, browser, 'alice');
    const refused = await call(stack, browser, 'sensitive.exports');
    expect(refused.status).toBe(401);
    expect(refused.body.error.data).toMatchObject({ code: 'UNAUTHORIZED', reason: 'insufficient_user_authentication', acr_values: 'urn:bff:loa:mfa' });
    await signInAt(`${stack.apiUrl}/api/login?acr_values=urn%3Abff%3Aloa%3Amfa&returnTo=${encodeURIComponent(`${FRONT}/reports`)}`, browser, 'alice');
    const passed = await call(stack, browser, 'sensitive.exports');
    expect(passed.status).toBe(200);
    expect(passed.body.result.data).toMatchObject({ owner: 'alice' });
  });
});
