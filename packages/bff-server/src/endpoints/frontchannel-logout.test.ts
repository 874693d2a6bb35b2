import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditEventSchema } from '@oidc-bff/protocol/schemas';
import { Browser, call, FRONT, freePort, login, signOutAtIdp, startRedis, startStack, type RedisServer, type Stack } from '@bff/test-kit';
import * as server from '../testing/test-app.js';
import type { Bff as Api } from '../bff.js';
import { diagnose } from '../config/doctor.js';
import { registrationBlock } from '../config/doctor-registration.js';

/**
 * OIDC Front-Channel Logout (S30) against the development IdP in its front-channel mode
 * (DEV_IDP_LOGOUT=frontchannel: no back-channel logout, its logout page frames the API's
 * front-channel URI), with two API instances on one real Redis.
 */
let redis: RedisServer;
let stack: Stack<Api>;
let b: Awaited<ReturnType<Stack<Api>['addInstance']>>;
let metricsPort: number;
const dir = mkdtempSync(join(tmpdir(), 'bff-frontchannel-'));
const auditFile = join(dir, 'audit.jsonl');
const A = () => ({ apiUrl: stack.apiUrl });
const B = () => ({ apiUrl: b.apiUrl });

beforeAll(async () => {
  redis = await startRedis();
  metricsPort = await freePort();
  stack = await startStack(server, {
    env: { REDIS_URL: redis.url, METRICS_PORT: String(metricsPort), AUDIT_LOG: auditFile },
    devIdp: { logout: 'frontchannel' },
  });
  b = await stack.addInstance({ env: { METRICS_PORT: String(await freePort()), AUDIT_LOG: join(dir, 'audit-b.jsonl') } });
}, 30_000);
afterAll(async () => {
  await stack?.close();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function signedIn(user: string): Promise<{ browser: Browser; sid: string }> {
  const browser = new Browser();
  await login(A(), browser, user);
  const cookie = (await browser.cookie(`${stack.apiUrl}/`, 'bff_session')) ?? '';
  const session = await stack.api.sessions.reload(stack.api.sessions.idOf(cookie) ?? '');
  if (!session?.idpSid) throw new Error(`the ID token of ${user} carried no sid`);
  return { browser, sid: session.idpSid };
}

const frontchannel = (query: Record<string, string>) => fetch(`${stack.apiUrl}/api/frontchannel-logout?${new URLSearchParams(query).toString()}`);
const statusOn = async (target: { apiUrl: string }, browser: Browser) => (await call(target, browser, 'me')).status;

describe('front-channel logout (DEV_IDP_LOGOUT=frontchannel)', () => {
  it('the IdP advertises front-channel logout, not back-channel, and the API registered its URI', async () => {
    const metadata = (await (await fetch(`${stack.idpUrl}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(metadata['frontchannel_logout_supported']).toBe(true);
    expect(metadata['frontchannel_logout_session_required']).toBe(true);
    expect(metadata['backchannel_logout_supported']).toBeUndefined();
    expect(server.idpRegistration(stack.api.config).frontchannelLogoutUri).toBe(`${stack.apiUrl}/api/frontchannel-logout`);
  });

  it("a sign-out on the IdP's own logout page ends the session on both instances, by iss and sid alone", async () => {
    const alice = await signedIn('alice');
    const bob = await signedIn('bob');
    expect(await statusOn(A(), alice.browser)).toBe(200);
    expect(await statusOn(B(), alice.browser)).toBe(200);

    const before = stack.idpRequests.length;
    await signOutAtIdp(alice.browser, `${stack.idpUrl}/session/end`);
    expect(stack.idpRequests.slice(before)).toContain('/session/end/confirm');

    const meA = await call(A(), alice.browser, 'me');
    expect(meA.status).toBe(401);
    expect(meA.body.error.data.reason).toBe('invalid_session');
    expect(await statusOn(B(), alice.browser)).toBe(401);
    // Another IdP session is untouched.
    expect(await statusOn(B(), bob.browser)).toBe(200);
    expect(stack.logs.some((line) => line.includes('"auth.frontchannel_logout"') && line.includes('"sessions":1'))).toBe(true);
    expect(stack.logs.some((line) => line.includes('auth.backchannel_logout'))).toBe(false);

    const metrics = await (await fetch(`http://localhost:${metricsPort}/metrics`)).text();
    expect(metrics).toMatch(/^bff_logouts_total\{kind="front_channel"\} 1$/m);
    const audit = readFileSync(auditFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => auditEventSchema.parse(JSON.parse(line)));
    expect(audit).toContainEqual(expect.objectContaining({ type: 'sign_out', kind: 'front_channel', sub: null, sessions: 1 }));
  });

  it('answers a tiny no-store page that only the IdP may frame, the same whether it acted or not', async () => {
    const acted = await frontchannel({ iss: `${stack.idpUrl}`, sid: 'no-such-session' });
    const ignored = await frontchannel({ iss: 'https://evil.example.test', sid: 'x' });
    for (const res of [acted, ignored]) {
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('content-security-policy')).toBe(`default-src 'none'; frame-ancestors ${stack.idpUrl}`);
      expect(res.headers.get('x-frame-options')).toBeNull();
    }
    const [actedBody, ignoredBody] = [await acted.text(), await ignored.text()];
    expect(actedBody).toBe(ignoredBody);
    expect(actedBody.length).toBeLessThan(200);
    // Every other route keeps refusing to be framed.
    const health = await fetch(`${stack.apiUrl}/api/health`);
    expect(health.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  });

  it('ignores, and logs, a request of another issuer (a trailing slash too) or without sid: the session lives on', async () => {
    const carol = await signedIn('alice');
    const ignoredBefore = stack.logs.filter((line) => line.includes('auth.frontchannel_logout_ignored')).length;
    const queries: Record<string, string>[] = [
      { iss: 'https://evil.example.test', sid: carol.sid },
      { iss: `${stack.idpUrl}/`, sid: carol.sid },
      { sid: carol.sid },
      { iss: stack.idpUrl },
      { iss: stack.idpUrl, sid: '' },
      { iss: stack.idpUrl, sid: 'x'.repeat(300) },
    ];
    for (const query of queries) {
      expect((await frontchannel(query)).status).toBe(200);
    }
    expect(stack.logs.filter((line) => line.includes('auth.frontchannel_logout_ignored')).length).toBe(ignoredBefore + 6);
    expect(await statusOn(A(), carol.browser)).toBe(200);
    expect(await statusOn(B(), carol.browser)).toBe(200);

    // The same request with the issuer's own iss ends it, wherever it arrives.
    await fetch(`${b.apiUrl}/api/frontchannel-logout?${new URLSearchParams({ iss: stack.idpUrl, sid: carol.sid }).toString()}`);
    expect(await statusOn(A(), carol.browser)).toBe(401);
  });

  it("the doctor: what to register names the front-channel URI the IdP's discovery confirms, and says sign-outs arrive that way", async () => {
    const metadata = (await (await fetch(`${stack.idpUrl}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    const block = registrationBlock(stack.api.config, metadata);
    expect(block).toMatch(/✔ Front-channel logout URI +http:\/\/localhost:\d+\/api\/frontchannel-logout \(frontchannel_logout_session_required: true\)/);
    expect(block).toMatch(/✖ Back-channel logout URI/);
    expect(registrationBlock(stack.api.config, { backchannel_logout_supported: true })).not.toContain('Front-channel');
    const findings = await diagnose({ OIDC_ISSUER: stack.idpUrl, BACK_URL: stack.apiUrl, FRONT_URL: FRONT });
    expect(findings.find((finding) => finding.check === 'backchannel')).toMatchObject({
      severity: 'info',
      message: expect.stringContaining('front-channel logout'),
    });
  });
});
