import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PATHS, AUDIT_EVENT_TYPES, SIGN_OUT_KINDS, type AuditEvent } from '@oidc-bff/protocol';
import { auditEventSchema } from '@oidc-bff/protocol/schemas';
import { Browser, call, freePort, login, signOutAtIdp, startProcess, startStack, stopProcess, type Stack } from '@bff/test-kit';
import * as server from '../testing/test-app.js';
import type { Bff as Api } from '../bff.js';
import { AuditTrail } from './audit.js';

/**
 * The audit trail (S31) of a real journey through the development IdP, written to its own
 * file (AUDIT_LOG): every event of the session lifecycle, each line valid against the
 * protocol's strict schema, with the client as TRUST_PROXY lets the BFF see it, and nothing
 * secret in any line. Then AUDIT_LOG=stdout in a process of its own: audit lines beside the
 * log lines, told apart by `"audit": true`.
 */
let stack: Stack<Api>;
let dir: string;
let auditFile: string;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const FIREFOX_ON_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:130.0) Gecko/20100101 Firefox/130.0';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bff-audit-'));
  auditFile = join(dir, 'audit.jsonl');
  // The test's requests come from loopback: trusting it as the proxy makes X-Forwarded-For the client's address.
  stack = await startStack(server, { env: { AUDIT_LOG: auditFile, TRUST_PROXY: 'loopback' }, accessTokenTtl: 3 });
}, 30_000);
afterAll(async () => {
  await stack?.close();
  rmSync(dir, { recursive: true, force: true });
});

function auditLines(text: string): AuditEvent[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => auditEventSchema.parse(JSON.parse(line)));
}

async function sessionOf(browser: Browser) {
  const cookie = (await browser.cookie(`${stack.apiUrl}/`, 'bff_session')) ?? '';
  const id = stack.api.sessions.idOf(cookie) ?? '';
  const session = await stack.api.sessions.reload(id);
  if (!session) throw new Error('not signed in');
  return { cookie, id, publicId: stack.api.sessions.publicIdOf(id), session };
}

describe('the audit trail of a real journey (AUDIT_LOG=<file>)', () => {
  it('records every session-lifecycle event, each valid against the schema, with nothing secret', async () => {
    const secrets: string[] = [];
    const keep = async (browser: Browser) => {
      const of = await sessionOf(browser);
      secrets.push(
        of.cookie,
        of.cookie.split('.')[0] ?? '',
        of.id,
        of.session.accessToken,
        of.session.refreshToken ?? '',
        of.session.idToken,
        of.session.logoutId,
      );
      return of;
    };

    // Three devices of alice's, one of bob's.
    const laptop = new Browser();
    const phone = new Browser();
    const tablet = new Browser();
    const bob = new Browser();
    for (const browser of [laptop, phone, tablet]) await login(stack, browser, 'alice');
    await login(stack, bob, 'bob');
    const [onLaptop, onPhone, onTablet, bobs] = [await keep(laptop), await keep(phone), await keep(tablet), await keep(bob)];
    const listed = await call(stack, tablet, 'sessions.list');
    const current = (listed.body.result.data as Array<{ id: string; current: boolean }>).find((s) => s.current);
    expect(current?.id).toBe(onTablet.publicId);

    // A failed sign-in, from a client behind the trusted proxy.
    const failed = await fetch(`${stack.apiUrl}${API_PATHS.callback}?state=not-ours&code=stolen`, {
      redirect: 'manual',
      headers: { 'x-forwarded-for': '203.0.113.7', 'user-agent': FIREFOX_ON_WINDOWS, 'x-request-id': 'audit-test-failed-1' },
    });
    expect(failed.status).toBe(302);

    // The phone ends itself; the tablet ends every other session (the laptop), then signs out.
    expect((await call(stack, phone, 'sessions.revoke', { mutation: true, input: { id: onPhone.publicId } })).status).toBe(200);
    const others = await call(stack, tablet, 'sessions.revokeOthers', { mutation: true, headers: { 'x-forwarded-for': '198.51.100.9' } });
    expect(others.body.result.data).toEqual({ ended: 1 });
    const me = await call(stack, tablet, 'me');
    await tablet.fetch(me.body.result.data.logoutUrl);

    // Bob's refresh token is revoked at the IdP, as an administrator would: his next refresh fails.
    const revoked = await fetch(`${stack.idpUrl}/token/revocation`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        token: bobs.session.refreshToken ?? '',
        token_type_hint: 'refresh_token',
        client_id: stack.api.config.oidc.clientId,
        client_secret: stack.api.config.oidc.clientSecret,
      }).toString(),
    });
    expect(revoked.status).toBe(200);
    await sleep(3500);
    const refused = await call(stack, bob, 'me');
    expect(refused.body.error.data.reason).toBe('refresh_failed');

    // Bob signs in again, on his IdP session (no form), then signs out at the IdP: a back-channel logout.
    const landed = await bob.follow(`${stack.apiUrl}${API_PATHS.login}`);
    expect(landed.url).not.toContain('auth_error');
    const bobAgain = await keep(bob);
    await signOutAtIdp(bob, `${stack.idpUrl}/session/end`);
    expect((await call(stack, bob, 'me')).status).toBe(401);

    // A session found past its lifetime: its deadline moved into the past in the store, as a skewed clock would.
    const late = new Browser();
    await login(stack, late, 'alice');
    const lateOne = await keep(late);
    const absoluteMs = stack.api.config.session.absoluteTtlSeconds * 1000;
    const stored = await stack.api.state.store.update(
      { ...lateOne.session, version: lateOne.session.version + 1, createdAt: Date.now() - absoluteMs - 1000 },
      60_000,
    );
    expect(stored).toBe(true);
    expect((await call(stack, late, 'me')).body.error.data.reason).toBe('session_expired');

    const text = readFileSync(auditFile, 'utf8');
    const events = auditLines(text);
    const byType = (type: AuditEvent['type']) => events.filter((event) => event.type === type);
    // Step-ups, front-channel logouts and changed roles come from flows of their own, audited by those flows' tests.
    expect(new Set(events.map((event) => event.type))).toEqual(new Set(AUDIT_EVENT_TYPES.filter((type) => type !== 'step_up' && type !== 'roles.changed')));

    const signIns = byType('sign_in.succeeded');
    expect(signIns.map((event) => [event.sub, event.sessionId])).toEqual([
      ['alice', onLaptop.publicId],
      ['alice', onPhone.publicId],
      ['alice', onTablet.publicId],
      ['bob', bobs.publicId],
      ['bob', bobAgain.publicId],
      ['alice', lateOne.publicId],
    ]);
    expect(signIns.every((event) => event.client?.ip !== null && event.requestId !== null)).toBe(true);

    expect(byType('sign_in.failed')).toEqual([
      expect.objectContaining({
        code: 'state_mismatch',
        sub: null,
        sessionId: null,
        client: { ip: '203.0.113.7', browser: 'Firefox', os: 'Windows' },
        requestId: 'audit-test-failed-1',
      }),
    ]);

    const signOuts = byType('sign_out');
    expect(new Set(signOuts.map((event) => event.type === 'sign_out' && event.kind))).toEqual(
      new Set(SIGN_OUT_KINDS.filter((kind) => kind !== 'front_channel')),
    );
    expect(signOuts).toEqual([
      expect.objectContaining({
        kind: 'revoked',
        sub: 'alice',
        sessionId: onPhone.publicId,
        sessions: 1,
        revokedBy: { sessionId: onPhone.publicId, self: true },
      }),
      expect.objectContaining({
        kind: 'revoked',
        sub: 'alice',
        sessionId: onLaptop.publicId,
        revokedBy: { sessionId: onTablet.publicId, self: false },
        client: expect.objectContaining({ ip: '198.51.100.9' }),
      }),
      expect.objectContaining({ kind: 'user', sub: 'alice', sessionId: onTablet.publicId, sessions: 1 }),
      expect.objectContaining({ kind: 'back_channel', sessionId: null, sessions: 1 }),
      expect.objectContaining({ kind: 'expired', sub: 'alice', sessionId: lateOne.publicId, sessions: 1, client: null, requestId: null }),
    ]);

    expect(byType('refresh.failed')).toEqual([expect.objectContaining({ sub: 'bob', sessionId: bobs.publicId, reason: 'invalid_grant' })]);

    // Nothing secret: no cookie, handle, session id, token or logout id; no JWT at all.
    expect(secrets.filter(Boolean).length).toBeGreaterThanOrEqual(40);
    for (const secret of secrets.filter(Boolean)) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/eyJ[\w-]{10,}\.eyJ/);
    // Every line is one event, and the request log went elsewhere.
    expect(text.split('\n').filter(Boolean)).toHaveLength(events.length);
    expect(stack.logs.some((line) => line.includes('"audit":true'))).toBe(false);
  }, 60_000);
});

describe('an audit log that cannot be written', () => {
  it('stops the start, naming the file and the setting', async () => {
    const config = server.loadConfig({ AUDIT_LOG: join(dir, 'missing-folder', 'audit.jsonl') });
    await expect(server.createApi(config, server.createLogger({ destination: { write: () => undefined } }))).rejects.toThrow(
      /missing-folder.*ENOENT.*AUDIT_LOG/,
    );
  });
});

describe('AUDIT_LOG=stdout', () => {
  it('writes audit lines among the log lines on stdout, each marked "audit": true', async () => {
    const port = await freePort();
    const child = startProcess('npx', ['tsx', 'src/testing/main.ts'], {
      env: {
        ...process.env,
        PORT: String(port),
        BACK_URL: `http://localhost:${port}`,
        // Nothing answers there: discovery retries in the background, which a failed callback does not need.
        OIDC_ISSUER: `http://127.0.0.1:${await freePort()}`,
        AUDIT_LOG: 'stdout',
        METRICS_PORT: '',
      },
    });
    let stdout = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    try {
      const deadline = Date.now() + 20_000;
      while (!stdout.includes('api.listening') && Date.now() < deadline) await sleep(100);
      expect(stdout).toContain('api.listening');
      const response = await fetch(`http://localhost:${port}${API_PATHS.callback}`, { redirect: 'manual', headers: { 'user-agent': FIREFOX_ON_WINDOWS } });
      expect(response.status).toBe(302);
      while (!stdout.includes('"audit":true') && Date.now() < deadline) await sleep(50);
    } finally {
      await stopProcess(child);
    }
    const lines = stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const audit = lines.filter((line) => line['audit'] === true);
    expect(audit.map((line) => auditEventSchema.parse(line))).toEqual([
      expect.objectContaining({ type: 'sign_in.failed', code: 'missing_state', client: expect.objectContaining({ browser: 'Firefox', os: 'Windows' }) }),
    ]);
    // The request log and events are there too, without the mark.
    expect(lines.filter((line) => line['audit'] === undefined).some((line) => line['event'] === 'auth.login_failed')).toBe(true);
  }, 30_000);
});

describe('a step-up line', () => {
  it('records what was asked and what the ID token gave, valid against the schema, through the hook as directly', () => {
    const file = join(dir, 'step-up.jsonl');
    const trail = new AuditTrail({ destination: { kind: 'file', path: file }, logger: server.createLogger({ destination: { write: () => undefined } }) });
    const request = { ip: '203.0.113.7', browser: 'Firefox', os: 'Windows', requestId: 'step-up-1' };
    trail.hooks.onStepUp?.({
      outcome: 'succeeded',
      acrRequested: ['urn:dev:mfa'],
      acrObtained: 'urn:dev:mfa',
      sub: 'alice',
      sessionId: 'AbCdEfGhIjKlMnOpQrStUv',
      request,
    });
    trail.stepUp({ outcome: 'refused', acrRequested: ['urn:dev:mfa'], acrObtained: undefined, sub: undefined, sessionId: undefined });
    expect(auditLines(readFileSync(file, 'utf8'))).toEqual([
      expect.objectContaining({
        type: 'step_up',
        outcome: 'succeeded',
        acrRequested: ['urn:dev:mfa'],
        acrObtained: 'urn:dev:mfa',
        sub: 'alice',
        requestId: 'step-up-1',
      }),
      expect.objectContaining({ type: 'step_up', outcome: 'refused', acrObtained: null, sub: null, sessionId: null, client: null }),
    ]);
  });
});
