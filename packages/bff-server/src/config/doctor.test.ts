import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig, type Config, type Env } from './env.js';
import { diagnose, formatFindings, staticFindings, type Finding } from './doctor.js';
import { TRUST_PROXY_FIX } from './trust-proxy.js';
import { startStack, type Stack } from '@bff/test-kit';
import * as server from '../testing/test-app.js';
import type { Bff as Api } from '../bff.js';

const run = promisify(execFile);
const find = (findings: Finding[], check: string) => findings.filter((f) => f.check === check);

let stack: Stack<Api>;
let env: Env;
beforeAll(async () => {
  stack = await startStack(server);
  env = { OIDC_ISSUER: stack.idpUrl, BACK_URL: stack.apiUrl, FRONT_URL: 'http://localhost:4299' };
});
afterAll(() => stack.close());

describe('doctor: configuration', () => {
  it('names the topology and the cookie attributes it implies', () => {
    const sameSite = staticFindings(loadConfig({ FRONT_URL: 'http://app.example.test', BACK_URL: 'http://api.example.test' }));
    expect(find(sameSite, 'topology')[0]).toMatchObject({
      severity: 'ok',
      message: expect.stringMatching(/same-site.*bff_session=…; HttpOnly; SameSite=Lax; Path=\//),
    });
    const prod: Env = {
      NODE_ENV: 'production',
      OIDC_ISSUER: 'https://idp.example.com',
      OIDC_CLIENT_ID: 'c',
      OIDC_CLIENT_SECRET: 's',
      OIDC_AUDIENCE: 'a',
      SESSION_SECRET: 'k'.repeat(40),
      TRUST_PROXY: '1',
    };
    const sameOrigin = staticFindings(loadConfig({ ...prod, FRONT_URL: 'https://app.example.com', BACK_URL: 'https://app.example.com' }));
    expect(find(sameOrigin, 'topology')[0]?.message).toMatch(/same-origin.*__Host-bff_session=…; HttpOnly; Secure; SameSite=Lax/);
    const crossSite = staticFindings(loadConfig({ ...prod, FRONT_URL: 'https://app.example.com', BACK_URL: 'https://api.other.com' }));
    expect(find(crossSite, 'topology')[0]).toMatchObject({
      severity: 'warn',
      message: expect.stringMatching(/cross-site.*SameSite=None/),
      fix: expect.stringMatching(/Safari/),
    });
  });

  it('warns when BACK_URL is https and trust proxy is not set', () => {
    const base: Env = { FRONT_URL: 'https://app.example.test', BACK_URL: 'https://api.example.test' };
    expect(find(staticFindings(loadConfig(base)), 'trust-proxy')[0]).toMatchObject({ severity: 'warn', fix: expect.stringMatching(/TRUST_PROXY/) });
    expect(find(staticFindings(loadConfig({ ...base, TRUST_PROXY: 'loopback' })), 'trust-proxy')).toEqual([]);
  });

  it('names the risk of a trust proxy that lets clients write their own address (development only)', () => {
    for (const trustAll of ['true', 'loopback,0.0.0.0/1', '::/64']) {
      expect(find(staticFindings(loadConfig({ TRUST_PROXY: trustAll })), 'trust-proxy')).toEqual([
        expect.objectContaining({ severity: 'warn', fix: expect.stringContaining(TRUST_PROXY_FIX) }),
      ]);
    }
    for (const narrow of ['1', 'loopback', '10.0.0.0/8']) expect(find(staticFindings(loadConfig({ TRUST_PROXY: narrow })), 'trust-proxy')).toEqual([]);
  });

  it('flags plain http outside localhost', () => {
    const findings = staticFindings(loadConfig({ FRONT_URL: 'http://app.example.test', BACK_URL: 'http://api.example.test' }));
    expect(find(findings, 'https')[0]).toMatchObject({ severity: 'warn', message: expect.stringContaining('http://api.example.test') });
    expect(find(staticFindings(loadConfig({})), 'https')).toEqual([]);
  });

  it('checks cookie sizes against the 4096-byte limit', () => {
    expect(find(staticFindings(loadConfig({})), 'cookie-size')[0]?.severity).toBe('ok');
    const config = loadConfig({});
    const oversized: Config = { ...config, cookie: { ...config.cookie, baseName: 'n'.repeat(900), name: 'n'.repeat(900) } };
    expect(find(staticFindings(oversized), 'cookie-size')[0]).toMatchObject({ severity: 'error', fix: expect.stringMatching(/COOKIE_NAME/) });
  });

  it('reports every configuration error as a finding (wildcard CORS, short secret, stray redirect URI)', async () => {
    const findings = await diagnose({ FRONT_URL: '*', SESSION_SECRET: 'short', OIDC_REDIRECT_URI: 'http://localhost:9/cb' });
    expect(findings.every((f) => f.severity === 'error' && f.check === 'config')).toBe(true);
    expect(findings.map((f) => f.message.split(' ')[0]).sort()).toEqual(['FRONT_URL', 'OIDC_REDIRECT_URI', 'SESSION_SECRET']);
  });
});

describe('doctor: live identity provider', () => {
  it('finds nothing wrong with the development IdP', async () => {
    const findings = await diagnose(env);
    expect(findings.filter((f) => f.severity === 'error' || f.severity === 'warn')).toEqual([]);
    expect(find(findings, 'discovery')[0]?.severity).toBe('ok');
    expect(find(findings, 'jwks')[0]).toMatchObject({ severity: 'ok', message: expect.stringMatching(/^1 signing key/) });
    expect(find(findings, 'clock')[0]?.severity).toBe('ok');
  });

  it('reports an unreachable IdP', async () => {
    const dead = createServer();
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((resolve) => dead.close(() => resolve()));
    const findings = await diagnose({ ...env, OIDC_ISSUER: `http://localhost:${port}` });
    expect(find(findings, 'discovery')[0]).toMatchObject({ severity: 'error', fix: expect.stringMatching(/OIDC_ISSUER/) });
  });

  it('reports an issuer that does not match what the IdP calls itself', async () => {
    const findings = await diagnose({ ...env, OIDC_ISSUER: stack.idpUrl.replace('localhost', '127.0.0.1') });
    expect(find(findings, 'discovery')[0]).toMatchObject({ severity: 'error', fix: `Set OIDC_ISSUER=${stack.idpUrl}.` });
  });

  it("reports the IdP's clock drifting from ours", async () => {
    const findings = await diagnose(env, { now: () => Date.now() - 120_000 });
    expect(find(findings, 'clock')[0]).toMatchObject({
      severity: 'error',
      message: expect.stringMatching(/1[12]\d s ahead/),
      fix: expect.stringMatching(/NTP/),
    });
  });

  it('reports signature algorithms the IdP does not use', async () => {
    const findings = await diagnose({ ...env, OIDC_TOKEN_ALGS: 'ES256' });
    expect(find(findings, 'algorithms')[0]).toMatchObject({ severity: 'error', fix: expect.stringMatching(/RS256/) });
  });

  it('reports an IdP without keys, PKCE, logout, revocation or back-channel logout', async () => {
    const bare = createServer((req, res) => {
      const issuer = `http://localhost:${(bare.address() as AddressInfo).port}`;
      res.setHeader('content-type', 'application/json');
      if (req.url === '/jwks') res.end(JSON.stringify({ keys: [] }));
      else res.end(JSON.stringify({ issuer, authorization_endpoint: `${issuer}/auth`, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/jwks` }));
    });
    await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
    try {
      const findings = await diagnose({ ...env, OIDC_ISSUER: `http://localhost:${(bare.address() as AddressInfo).port}` });
      expect(find(findings, 'jwks')[0]?.severity).toBe('error');
      expect(find(findings, 'pkce')[0]?.severity).toBe('warn');
      expect(find(findings, 'logout')[0]?.severity).toBe('warn');
      expect(find(findings, 'revocation')[0]?.severity).toBe('info');
      expect(find(findings, 'backchannel')[0]?.severity).toBe('info');
    } finally {
      await new Promise<void>((resolve) => bare.close(() => resolve()));
    }
  });

  it('warns at run time when requests come through a TLS proxy that is not trusted', async () => {
    // BACK_URL is public https; the stack's API still listens on plain http, as behind a proxy.
    const behindProxy = await startStack(server, { env: { BACK_URL: 'https://api.example.test', FRONT_URL: 'https://app.example.test' } });
    try {
      await fetch(`${behindProxy.apiUrl}/api/health`);
      expect(behindProxy.logs.some((line) => line.includes('config.trust_proxy_missing'))).toBe(false);
      await fetch(`${behindProxy.apiUrl}/api/health`, { headers: { 'x-forwarded-proto': 'https' } });
      expect(behindProxy.logs.some((line) => line.includes('config.trust_proxy_missing'))).toBe(true);
    } finally {
      await behindProxy.close();
    }
  });

  it('runs as `npm run doctor`: a report with fixes, and exit status 1 on errors', async () => {
    // Node with tsx's loader rather than `npx tsx` (no npm process in front), both runs at once:
    // two processes compiling TypeScript one after the other took more than 20 s on a loaded CI
    // machine. They get 45 s: the bound is against a hang, not a measure of speed.
    const doctor = (extra: Record<string, string>) =>
      run(process.execPath, ['--import', 'tsx', 'src/config/doctor-cli.ts'], { env: { ...process.env, ...env, ...extra } });
    const [ok, failed] = await Promise.all([doctor({}), doctor({ SESSION_SECRET: 'short' }).catch((error: { code: number; stdout: string }) => error)]);
    expect(ok.stdout).toMatch(/✔ \[discovery\]/);
    expect(ok.stdout).toMatch(/0 error\(s\)/);
    // What to register at the IdP, each item the discovery document confirms marked.
    expect(ok.stdout).toContain('Register this at your identity provider:');
    expect(ok.stdout).toMatch(/✔ PKCE +S256/);
    expect(ok.stdout).toMatch(/✔ Back-channel logout URI +http:\/\/localhost:\d+\/api\/backchannel-logout \(backchannel_logout_session_required: true\)/);
    expect(ok.stdout).toMatch(/ {3}Redirect URI +http:\/\/localhost:\d+\/api\/callback/);
    expect(ok.stdout).toMatch(/✔ Token revocation/);
    expect('code' in failed && failed.code).toBe(1);
    expect(failed.stdout).toMatch(/✖ \[config\] SESSION_SECRET/);
    expect(formatFindings([{ severity: 'warn', check: 'x', message: 'm', fix: 'f' }])).toBe('⚠ [x] m\n    fix: f');
  }, 45_000);
});
