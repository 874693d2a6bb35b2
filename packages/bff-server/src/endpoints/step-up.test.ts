import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEventSchema } from '@oidc-bff/protocol/schemas';
import { Browser, call, FRONT, login, signInAt, SignInError, startStack, type Stack } from '@bff/test-kit';
import * as server from '../testing/test-app.js';
import type { Bff as Api } from '../bff.js';

const PWD = 'urn:bff:loa:pwd';
const MFA = 'urn:bff:loa:mfa';
const COOKIE = 'bff_session';

let stack: Stack<Api>;
let ignoring: Stack<Api>;
const auditDir = mkdtempSync(join(tmpdir(), 'bff-step-up-audit-'));
const auditFile = join(auditDir, 'audit.jsonl');
beforeAll(async () => {
  [stack, ignoring] = await Promise.all([startStack(server), startStack(server, { devIdp: { secondFactor: 'ignore' }, env: { AUDIT_LOG: auditFile } })]);
});
afterAll(async () => {
  await Promise.all([stack.close(), ignoring.close()]);
  rmSync(auditDir, { recursive: true, force: true });
});

/** `/api/login` for a step-up, back to the chat page. */
function stepUpUrl(on: Stack<Api>, query: Record<string, string>): string {
  return `${on.apiUrl}/api/login?${new URLSearchParams({ ...query, returnTo: `${FRONT}/chat` }).toString()}`;
}

async function signedIn(on: Stack<Api> = stack): Promise<Browser> {
  const browser = new Browser();
  await login(on, browser, 'alice');
  return browser;
}

describe('step-up (S29), against the development IdP over real HTTP', () => {
  it('refuses a password session a second-factor procedure with insufficient_user_authentication and what to ask for', async () => {
    const browser = await signedIn();
    const me = await call(stack, browser, 'me');
    expect(me.body.result.data.session).toMatchObject({ acr: PWD, authTime: expect.any(String) });
    const refused = await call(stack, browser, 'sensitive.mfa', { mutation: true });
    expect(refused.status).toBe(401);
    expect(refused.body.error.data).toMatchObject({ code: 'UNAUTHORIZED', reason: 'insufficient_user_authentication', acr_values: MFA });
    expect(refused.body.error.data.max_age).toBeUndefined();
    // Not a sign-out: the session goes on.
    expect((await call(stack, browser, 'me')).status).toBe(200);
  });

  it('upgrades the session with the one-time code: a new session id, the same user and data, and the procedure passes', async () => {
    const browser = await signedIn();
    const note = await call(stack, browser, 'chat.send', { mutation: true, input: { text: 'before the step-up' } });
    expect(note.status).toBe(200);
    const before = await browser.cookie(stack.apiUrl, COOKIE);
    const logoutBefore = (await call(stack, browser, 'me')).body.result.data.logoutUrl;

    // The IdP session exists: only the code page is shown (signInAt answers 123456 there).
    const requestsBefore = stack.idpRequests.length;
    const landed = await signInAt(stepUpUrl(stack, { acr_values: MFA }), browser, 'alice');
    expect(landed).toBe(`${FRONT}/chat`);
    expect(stack.idpRequests.slice(requestsBefore).some((path) => path.endsWith('/code'))).toBe(true);
    expect(stack.idpRequests.slice(requestsBefore).some((path) => path.endsWith('/login'))).toBe(false);

    const after = await browser.cookie(stack.apiUrl, COOKIE);
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    const me = (await call(stack, browser, 'me')).body.result.data;
    expect(me.user.sub).toBe('alice');
    expect(me.session.acr).toBe(MFA);
    expect(me.logoutUrl).not.toBe(logoutBefore);
    const passed = await call(stack, browser, 'sensitive.mfa', { mutation: true });
    expect(passed.status).toBe(200);
    expect(passed.body.result.data).toEqual({ sub: 'alice' });
    const history = await call(stack, browser, 'chat.history');
    expect(history.body.result.data.map((n: { text: string }) => n.text)).toContain('before the step-up');

    // The handle from before the step-up does not carry the stronger sign-in (fixation): it is ended.
    const old = new Browser();
    await old.jar.setCookie(`${COOKIE}=${before ?? ''}; Path=/`, stack.apiUrl);
    const stale = await call(stack, old, 'me');
    expect(stale.status).toBe(401);
    expect(stale.body.error.data.reason).toBe('invalid_session');
  });

  it('refuses an IdP answer weaker than asked with step_up_failed, and leaves the session as it was', async () => {
    const browser = await signedIn(ignoring);
    const before = await browser.cookie(ignoring.apiUrl, COOKIE);
    const landed = new URL(await signInAt(stepUpUrl(ignoring, { acr_values: MFA }), browser, 'alice'));
    expect(landed.origin).toBe(FRONT);
    expect(landed.searchParams.get('auth_error')).toBe('step_up_failed');
    expect(await browser.cookie(ignoring.apiUrl, COOKIE)).toBe(before);
    const me = await call(ignoring, browser, 'me');
    expect(me.status).toBe(200);
    expect(me.body.result.data.session.acr).toBe(PWD);
    expect((await call(ignoring, browser, 'sensitive.mfa', { mutation: true })).body.error.data.reason).toBe('insufficient_user_authentication');
    expect(ignoring.logs.join('\n')).toMatch(/auth\.login_failed.*step_up_failed.*acr_not_met|acr_not_met.*step_up_failed/);
    // The audit trail says what was asked and what came back (S31: values of the configured order, no token).
    const events = readFileSync(auditFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => auditEventSchema.parse(JSON.parse(line)));
    expect(events.filter((event) => event.type === 'step_up')).toEqual([
      expect.objectContaining({ outcome: 'refused', sub: 'alice', acrRequested: [MFA], acrObtained: PWD }),
    ]);
  });

  it('the dev IdP refuses a wrong one-time code and stays on its code page', async () => {
    const browser = await signedIn();
    await expect(signInAt(stepUpUrl(stack, { acr_values: MFA }), browser, 'alice', 'alice', FRONT, { code: '000000' })).rejects.toThrow(SignInError);
    expect((await call(stack, browser, 'me')).body.result.data.session.acr).toBe(PWD);
  });

  it('explains a second factor refused at the IdP as access_denied, and keeps the session', async () => {
    const browser = await signedIn();
    const before = await browser.cookie(stack.apiUrl, COOKIE);
    const landed = new URL(await signInAt(stepUpUrl(stack, { acr_values: MFA }), browser, 'alice', 'alice', FRONT, { cancel: true }));
    expect(landed.searchParams.get('auth_error')).toBe('access_denied');
    expect(await browser.cookie(stack.apiUrl, COOKIE)).toBe(before);
    expect((await call(stack, browser, 'me')).status).toBe(200);
  });

  it('forces a fresh sign-in with max_age: the password is asked again and auth_time is newer', async () => {
    const browser = await signedIn();
    const first = Date.parse((await call(stack, browser, 'me')).body.result.data.session.authTime);
    // Past max_age 0 and the few seconds of clock tolerance.
    await new Promise((resolve) => setTimeout(resolve, 6500));
    const refused = await call(stack, browser, 'sensitive.fresh');
    expect(refused.status).toBe(401);
    expect(refused.body.error.data).toMatchObject({ reason: 'insufficient_user_authentication', max_age: 0 });
    expect(refused.body.error.data.acr_values).toBeUndefined();

    const requestsBefore = stack.idpRequests.length;
    await signInAt(stepUpUrl(stack, { max_age: '0' }), browser, 'alice');
    expect(stack.idpRequests.slice(requestsBefore).some((path) => path.endsWith('/login'))).toBe(true);
    const second = Date.parse((await call(stack, browser, 'me')).body.result.data.session.authTime);
    expect(second).toBeGreaterThan(first);
    expect((await call(stack, browser, 'sensitive.fresh')).status).toBe(200);
  }, 20_000);

  it('refuses step-up parameters it cannot honour with a typed 400, before any IdP call', async () => {
    const browser = new Browser();
    for (const query of [
      'acr_values=urn:other:loa',
      'acr_values=',
      `acr_values=${MFA}&acr_values=${PWD}`,
      'max_age=-1',
      'max_age=soon',
      'max_age=99999999999',
    ]) {
      const res = await browser.fetch(`${stack.apiUrl}/api/login?${query}`, { headers: { accept: 'application/json' } });
      expect(res.status, query).toBe(400);
      expect(((await res.json()) as { error?: unknown }).error).toBe('invalid_step_up');
    }
    const ok = await browser.fetch(`${stack.apiUrl}/api/login?acr_values=${encodeURIComponent(`${PWD} ${MFA}`)}&max_age=300`);
    expect(ok.status).toBe(302);
  });
});
