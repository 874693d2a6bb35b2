import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEventSchema } from '@oidc-bff/protocol/schemas';
import {
  Browser,
  call,
  login,
  startOtlpReceiver,
  startRedis,
  startSlapd,
  startStack,
  type OtlpReceiver,
  type ReceivedSpan,
  type RedisServer,
  type Slapd,
  type Stack,
} from '@bff/test-kit';
import * as server from '../testing/test-app.js';
import type { Bff as Api } from '../bff.js';

/**
 * OpenTelemetry traces (S31) of a real sign-in through the development IdP (sessions in a real
 * redis-server), of a procedure that calls the dev reports API, of a refresh that waits for
 * another instance's lease, and of directory lookups (real slapd), exported by the real SDK and
 * OTLP/HTTP exporter. No OpenTelemetry Collector can be had on these machines, so the test kit's
 * OTLP receiver stands in for it and decodes what the exporter really sends (OTLP/JSON). The
 * trees are checked by their parent links; the reports API says which `traceparent` it
 * received; no attribute or span name holds a token, a cookie, a secret, the code or the state.
 */
let receiver: OtlpReceiver;
let redis: RedisServer;
let stack: Stack<Api>;
let dir: string;
let auditFile: string;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  redis = await startRedis();
  dir = mkdtempSync(join(tmpdir(), 'bff-tracing-'));
  auditFile = join(dir, 'audit.jsonl');
  stack = await startStack(server, {
    reports: 'exchange',
    accessTokenTtl: 3,
    env: { REDIS_URL: redis.url, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'bff-under-test', AUDIT_LOG: auditFile },
  });
}, 60_000);
afterAll(async () => {
  await stack?.close();
  await receiver?.stop();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const children = (spans: readonly ReceivedSpan[], parent: ReceivedSpan) =>
  spans.filter((span) => span.traceId === parent.traceId && span.parentSpanId === parent.spanId);
const named = (spans: readonly ReceivedSpan[], name: string) => spans.filter((span) => span.name === name);

/** Every value the test saw that must never be in a span: cookies, tokens, secrets, the code and the state. */
const secrets: string[] = [];

describe('traces of a real sign-in and a procedure with a downstream call (OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
  it('makes one trace per request: the callback span holds the code exchange and the session store calls', async () => {
    const browser = new Browser();
    // The IdP's redirect back carries the code and the state: kept to look for them in the spans.
    const originalFetch = browser.fetch.bind(browser);
    browser.fetch = async (url, init) => {
      const parsed = new URL(url);
      for (const name of ['code', 'state', 'iss']) {
        const value = parsed.searchParams.get(name);
        if (value && name !== 'iss') secrets.push(value);
      }
      return originalFetch(url, init);
    };
    await login(stack, browser, 'alice');
    for (const cookie of await browser.jar.getCookies(stack.apiUrl)) secrets.push(cookie.value);
    for (const cookie of await browser.jar.getCookies(stack.idpUrl)) secrets.push(cookie.value);
    const handle = (await browser.cookie(`${stack.apiUrl}/`, 'bff_session')) ?? '';
    const id = stack.api.sessions.idOf(handle) ?? '';
    const session = await stack.api.sessions.reload(id);
    expect(session).toBeDefined();
    secrets.push(handle, id, session?.accessToken ?? '', session?.refreshToken ?? '', session?.idToken ?? '');
    secrets.push(stack.api.config.oidc.clientSecret, ...stack.api.config.session.secrets.map(String));

    const spans = await receiver.waitFor((all) => named(all, 'GET /api/callback').length === 1 && named(all, 'idp.code_exchange').length === 1);
    const [callback] = named(spans, 'GET /api/callback');
    if (!callback) throw new Error('no callback span');
    expect(callback).toMatchObject({ kind: 2, parentSpanId: undefined, service: 'bff-under-test', scope: '@oidc-bff/server' });
    expect(callback.attributes).toMatchObject({ 'http.request.method': 'GET', 'http.route': '/api/callback', 'http.response.status_code': 302 });
    const underCallback = children(spans, callback).map((span) => span.name);
    expect(underCallback).toContain('idp.code_exchange');
    // The new session written to Redis, in the same trace.
    expect(underCallback.some((name) => name.startsWith('session_store.'))).toBe(true);
    const [exchange] = named(spans, 'idp.code_exchange');
    expect(exchange).toMatchObject({ kind: 3, parentSpanId: callback.spanId, traceId: callback.traceId });
    expect(exchange?.attributes).toMatchObject({
      'bff.dependency': 'idp',
      'oauth.grant_type': 'authorization_code',
      'http.request.method': 'POST',
      'http.response.status_code': 200,
    });
    expect(String(exchange?.attributes['url.full'])).not.toContain('?');

    // The login request is a trace of its own; discovery (at start, before any request) another.
    const [start] = named(spans, 'GET /api/login');
    expect(start).toMatchObject({ kind: 2, parentSpanId: undefined });
    expect(start?.traceId).not.toBe(callback.traceId);
    expect(named(spans, 'idp.discovery')[0]?.attributes).toMatchObject({ 'bff.dependency': 'idp', 'http.response.status_code': 200 });

    // The audit line of the sign-in names its trace, and the log lines of the request carry its ids.
    const signIn = readFileSync(auditFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => auditEventSchema.parse(JSON.parse(line)))
      .find((event) => event.type === 'sign_in.succeeded');
    expect(signIn?.traceId).toBe(callback.traceId);
    const logged = stack.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line['trace_id'] === callback.traceId);
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.every((line) => typeof line['span_id'] === 'string' && /^[0-9a-f]{16}$/.test(line['span_id']))).toBe(true);

    // The signed-in browser's call, then one after the access token expired: a refresh in the call's trace.
    expect((await call(stack, browser, 'reports')).status).toBe(200);
    await sleep(3500);
    const afterExpiry = await call(stack, browser, 'reports');
    expect(afterExpiry.status).toBe(200);
    const refreshed = await stack.api.sessions.reload(id);
    secrets.push(refreshed?.accessToken ?? '', refreshed?.refreshToken ?? '', refreshed?.idToken ?? '');
    for (const cookie of await browser.jar.getCookies(stack.apiUrl)) secrets.push(cookie.value);

    const traceparent = String(afterExpiry.body.result.data.traceparent);
    const [, traceId, spanId] = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(traceparent) ?? [];
    expect(traceId).toBeDefined();
    const all = await receiver.waitFor((received) => received.some((span) => span.spanId === spanId) && named(received, 'token.refresh').length > 0);

    // What the reports API received is the downstream span's context, under the procedure, under the request.
    const downstream = all.find((span) => span.spanId === spanId);
    expect(downstream).toMatchObject({ name: 'downstream reports', kind: 3, traceId });
    expect(downstream?.attributes).toMatchObject({ 'bff.downstream.api': 'reports', 'http.request.method': 'GET', 'http.response.status_code': 200 });
    expect(String(downstream?.attributes['url.full'])).toMatch(/\/whoami$/);
    const procedure = all.find((span) => span.spanId === downstream?.parentSpanId);
    expect(procedure).toMatchObject({ name: 'reports', kind: 1, traceId });
    expect(procedure?.attributes).toMatchObject({ 'rpc.system': 'trpc', 'rpc.method': 'reports', 'bff.procedure.type': 'query' });
    const request = all.find((span) => span.spanId === procedure?.parentSpanId);
    expect(request).toMatchObject({ name: 'GET reports', kind: 2, traceId, parentSpanId: undefined });

    // The refresh of that call, in its trace, with the grant inside.
    const refresh = named(all, 'token.refresh').find((span) => span.traceId === traceId);
    expect(refresh).toBeDefined();
    if (!refresh) return;
    expect(children(all, refresh).map((span) => span.name)).toContain('idp.refresh');
    // The token for the reports API: an exchange, within the procedure's trace.
    expect(all.some((span) => span.traceId === traceId && span.name === 'idp.token_exchange')).toBe(true);
  }, 60_000);

  it("shows a refresh that waited for another instance's lease as token.refresh.lease_wait", async () => {
    const other = await stack.addInstance();
    try {
      const browser = new Browser();
      await login(stack, browser, 'bob');
      await sleep(3500);
      // Both instances find the token expired at once: one refreshes under the session's lease, the other waits for it.
      const answers = await Promise.all([call(stack, browser, 'me'), call({ apiUrl: other.apiUrl }, browser, 'me')]);
      expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
      const all = await receiver.waitFor((spans) => named(spans, 'token.refresh.lease_wait').length > 0);
      const [wait] = named(all, 'token.refresh.lease_wait');
      const refresh = all.find((span) => span.spanId === wait?.parentSpanId);
      expect(refresh).toMatchObject({ name: 'token.refresh', traceId: wait?.traceId });
      // The session is checked in the procedure's middleware: the refresh is the procedure's child.
      const procedure = all.find((span) => span.spanId === refresh?.parentSpanId);
      expect(procedure).toMatchObject({ name: 'me', kind: 1 });
      const request = all.find((span) => span.spanId === procedure?.parentSpanId);
      expect(request).toMatchObject({ name: 'GET me', kind: 2, parentSpanId: undefined });
      // The waiting request made no refresh grant: the IdP was asked once.
      expect(children(all, refresh as ReceivedSpan).some((span) => span.name === 'idp.refresh')).toBe(false);
    } finally {
      await other.close();
    }
  }, 30_000);

  it('traces the directory lookups of a call that needs roles (real slapd), without the filter or the user', async () => {
    const ldap: Slapd = await startSlapd();
    const withDirectory = await startStack(server, {
      devIdp: { groups: 'none' },
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        LDAP_URL: ldap.url,
        LDAP_BIND_DN: ldap.bindDn,
        LDAP_BIND_PASSWORD: ldap.bindPassword,
        LDAP_USER_BASE: `ou=people,${ldap.baseDn}`,
        LDAP_GROUP_BASE: `ou=groups,${ldap.baseDn}`,
        ROLE_MAP: JSON.stringify({ analyst: ['cn=analysts,ou=groups,dc=corp,dc=example'] }),
      },
    });
    try {
      const browser = new Browser();
      await login(withDirectory, browser, 'alice');
      expect((await call(withDirectory, browser, 'me')).body.result.data.user.roles).toEqual(['analyst']);
      const all = await receiver.waitFor((spans) => named(spans, 'ldap.groups').length > 0);
      const [lookup] = named(all, 'ldap.groups');
      expect(lookup).toMatchObject({ kind: 3 });
      expect(lookup?.attributes).toEqual({ 'bff.dependency': 'directory', 'bff.operation': 'groups', 'server.address': '127.0.0.1' });
      const parent = all.find((span) => span.spanId === lookup?.parentSpanId);
      expect(parent?.name).toBe('me');
      secrets.push(ldap.bindPassword);
    } finally {
      await withDirectory.close();
      await ldap.stop();
    }
  }, 60_000);

  it('puts no token, cookie, secret, code or state in any span name or attribute, and no URL with a query', async () => {
    const spans = receiver.spans();
    expect(spans.length).toBeGreaterThan(10);
    const present = secrets.filter((secret) => secret.length >= 8);
    expect(present.length).toBeGreaterThanOrEqual(12);
    for (const span of spans) {
      const text = JSON.stringify([span.name, span.attributes]);
      for (const secret of present) expect(text).not.toContain(secret);
      expect(text).not.toMatch(/eyJ[\w-]{10,}\./);
      expect(text).not.toMatch(/alice|example\.com/i);
      for (const [key, value] of Object.entries(span.attributes)) if (key.startsWith('url.')) expect(String(value)).not.toMatch(/[?#]/);
    }
  });
});
