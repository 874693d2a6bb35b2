import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { calculateJwkThumbprint } from 'jose';
import { writeDevClientKeys } from '@bff/dev-idp';
import { startStack, type Stack } from '@bff/test-kit';
import { ConfigError, loadConfig, type Env } from './env.js';
import { diagnose, type Finding } from './doctor.js';
import { idpRegistration } from './registration.js';
import { createOidcService, IdpProfileError, IdpUnavailableError } from '../oidc/discovery.js';
import { createLogger } from '../log.js';
import * as server from '../testing/test-app.js';
import type { Bff as Api } from '../bff.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'bff-fapi2-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a private key of the given kind as PKCS#8 PEM (or as a JWK, with extra members). */
function keyFile(name: string, kind: 'ec-p256' | 'ec-p384' | 'rsa-1024' | 'rsa-2048' | 'ed25519', format: 'pem' | 'jwk' = 'pem', extra: object = {}): string {
  const { privateKey } =
    kind === 'ec-p256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : kind === 'ec-p384'
        ? generateKeyPairSync('ec', { namedCurve: 'P-384' })
        : kind === 'ed25519'
          ? generateKeyPairSync('ed25519')
          : generateKeyPairSync('rsa', { modulusLength: kind === 'rsa-1024' ? 1024 : 2048 });
  const path = join(dir, name);
  writeFileSync(
    path,
    format === 'pem' ? privateKey.export({ format: 'pem', type: 'pkcs8' }) : JSON.stringify({ ...privateKey.export({ format: 'jwk' }), ...extra }),
  );
  return path;
}

const keys = writeDevClientKeys(join(dir, 'dev'));
const FAPI2: Env = { OIDC_PROFILE: 'fapi2', OIDC_CLIENT_PRIVATE_KEY: keys.clientKey, OIDC_DPOP_PRIVATE_KEY: keys.dpopKey };

function issuesOf(env: Env): Record<string, string> {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return Object.fromEntries((error as ConfigError).issues.map((i) => [i.variable, i.message]));
  }
  throw new Error('expected a ConfigError');
}

describe('OIDC_PROFILE=fapi2: keys and algorithms (S24, S16)', () => {
  it('requires both keys, naming each variable', () => {
    const issues = issuesOf({ OIDC_PROFILE: 'fapi2' });
    expect(Object.keys(issues).sort()).toEqual(['OIDC_CLIENT_PRIVATE_KEY', 'OIDC_DPOP_PRIVATE_KEY']);
    expect(issues['OIDC_CLIENT_PRIVATE_KEY']).toMatch(/required with OIDC_PROFILE=fapi2/);
  });

  it('refuses an RSA key under 2048 bits, another curve, an Ed25519 key, a public key, a non-key and an unreadable path', () => {
    const rsa1024 = keyFile('rsa-1024.pem', 'rsa-1024');
    expect(issuesOf({ ...FAPI2, OIDC_CLIENT_PRIVATE_KEY: rsa1024 })['OIDC_CLIENT_PRIVATE_KEY']).toMatch(/RSA key of 1024 bits.*2048/);
    expect(issuesOf({ ...FAPI2, OIDC_DPOP_PRIVATE_KEY: rsa1024 })['OIDC_DPOP_PRIVATE_KEY']).toMatch(/1024 bits/);
    expect(issuesOf({ ...FAPI2, OIDC_CLIENT_PRIVATE_KEY: keyFile('p384.pem', 'ec-p384') })['OIDC_CLIENT_PRIVATE_KEY']).toMatch(/P-256/);
    expect(issuesOf({ ...FAPI2, OIDC_CLIENT_PRIVATE_KEY: keyFile('ed25519.pem', 'ed25519') })['OIDC_CLIENT_PRIVATE_KEY']).toMatch(/ed25519 key.*ES256.*PS256/);
    const publicOnly = join(dir, 'public.pem');
    writeFileSync(publicOnly, generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'pem', type: 'spki' }));
    expect(issuesOf({ ...FAPI2, OIDC_CLIENT_PRIVATE_KEY: publicOnly })['OIDC_CLIENT_PRIVATE_KEY']).toMatch(/no private key/);
    const garbage = join(dir, 'garbage.txt');
    writeFileSync(garbage, 'not a key');
    expect(issuesOf({ ...FAPI2, OIDC_CLIENT_PRIVATE_KEY: garbage })['OIDC_CLIENT_PRIVATE_KEY']).toMatch(/no private key/);
    expect(issuesOf({ ...FAPI2, OIDC_DPOP_PRIVATE_KEY: join(dir, 'missing.pem') })['OIDC_DPOP_PRIVATE_KEY']).toMatch(/cannot read .*ENOENT/);
  });

  it('accepts EC P-256 PEM (ES256) and RSA 2048 JWK (PS256) keys, with their kid and RFC 7638 thumbprint', async () => {
    const rsaJwk = keyFile('rsa-2048.json', 'rsa-2048', 'jwk', { kid: 'client-2026-11' });
    const config = loadConfig({ ...FAPI2, OIDC_CLIENT_PRIVATE_KEY: rsaJwk });
    const fapi2 = config.oidc.fapi2;
    if (!fapi2) throw new Error('no FAPI 2.0 keys');
    expect(fapi2.client).toMatchObject({ alg: 'PS256', kid: 'client-2026-11', publicJwk: { kty: 'RSA', alg: 'PS256', use: 'sig', kid: 'client-2026-11' } });
    expect(fapi2.client.publicJwk).not.toHaveProperty('d');
    expect(fapi2.dpop).toMatchObject({ alg: 'ES256', kid: fapi2.dpop.thumbprint });
    expect(fapi2.dpop.thumbprint).toBe(await calculateJwkThumbprint(fapi2.dpop.publicJwk as never));
    expect(fapi2.client.thumbprint).toBe(await calculateJwkThumbprint(fapi2.client.publicJwk as never));
    expect(config.oidc).toMatchObject({ profile: 'fapi2', algorithms: ['ES256', 'PS256'], clientSecret: '' });
    expect(issuesOf({ ...FAPI2, OIDC_CLIENT_PRIVATE_KEY: keyFile('declared.json', 'ec-p256', 'jwk', { alg: 'RS256' }) })['OIDC_CLIENT_PRIVATE_KEY']).toMatch(
      /"alg": "RS256"/,
    );
  });

  it('refuses one key for both purposes, token algorithms outside ES256/PS256, and keys without the profile', () => {
    expect(issuesOf({ ...FAPI2, OIDC_DPOP_PRIVATE_KEY: keys.clientKey })['OIDC_DPOP_PRIVATE_KEY']).toMatch(/different key/);
    expect(issuesOf({ ...FAPI2, OIDC_TOKEN_ALGS: 'RS256' })['OIDC_TOKEN_ALGS']).toMatch(/ES256.*PS256/);
    expect(loadConfig({ ...FAPI2, OIDC_TOKEN_ALGS: 'PS256' }).oidc.algorithms).toEqual(['PS256']);
    expect(issuesOf({ OIDC_CLIENT_PRIVATE_KEY: keys.clientKey })['OIDC_PROFILE']).toMatch(/fapi2/);
    expect(issuesOf({ ...FAPI2, OIDC_PROFILE: 'fapi1' })['OIDC_PROFILE']).toMatch(/oidc.*fapi2/);
  });

  it('needs no client secret in production and warns about a stray one; the registration asks for private_key_jwt, jwks_uri, DPoP and PAR', () => {
    const production: Env = {
      ...FAPI2,
      NODE_ENV: 'production',
      OIDC_ISSUER: 'https://login.example.com',
      OIDC_CLIENT_ID: 'bff',
      OIDC_AUDIENCE: 'api://bff',
      FRONT_URL: 'https://app.example.com',
      BACK_URL: 'https://api.example.com',
      SESSION_SECRET: 'q3T9v8mZk1xYw2LpB7nR4sC6dF0gH5jK',
      TRUST_PROXY: '1',
    };
    const config = loadConfig(production);
    expect(config.warnings).toEqual([]);
    expect(loadConfig({ ...production, OIDC_CLIENT_SECRET: 'left-over' }).warnings).toEqual([expect.stringMatching(/OIDC_CLIENT_SECRET is not used/)]);
    expect(idpRegistration(config)).toMatchObject({
      clientSecret: undefined,
      tokenEndpointAuthMethod: 'private_key_jwt',
      tokenEndpointAuthSigningAlg: 'ES256',
      jwksUri: 'https://api.example.com/api/jwks',
      dpopBoundAccessTokens: true,
      requirePushedAuthorizationRequests: true,
    });
    expect(idpRegistration(loadConfig({}))).toMatchObject({ tokenEndpointAuthMethod: 'client_secret_post', clientSecret: expect.any(String) });
    expect(idpRegistration(loadConfig({}))).not.toHaveProperty('jwksUri');
  });

  it('fails start-up: the API process exits with the variable named', async () => {
    const failed = await run(process.execPath, ['--import', 'tsx', 'src/testing/main.ts'], {
      env: { ...process.env, OIDC_PROFILE: 'fapi2', OIDC_CLIENT_PRIVATE_KEY: keyFile('weak.pem', 'rsa-1024'), OIDC_DPOP_PRIVATE_KEY: '', PORT: '0' },
      timeout: 15_000,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/OIDC_CLIENT_PRIVATE_KEY: .*1024 bits/);
    expect(failed.stderr).toMatch(/OIDC_DPOP_PRIVATE_KEY: is required/);
  });
});

describe('the IdP must offer the FAPI 2.0 profile', () => {
  let stack: Stack<Api>;
  let bare: Server;
  let bareUrl: string;
  beforeAll(async () => {
    stack = await startStack(server, { fapi2: true });
    // An IdP with neither PAR, nor DPoP, nor private_key_jwt, nor RFC 9207 iss.
    bare = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/jwks') res.end(JSON.stringify({ keys: [] }));
      else
        res.end(
          JSON.stringify({
            issuer: bareUrl,
            authorization_endpoint: `${bareUrl}/auth`,
            token_endpoint: `${bareUrl}/token`,
            jwks_uri: `${bareUrl}/jwks`,
            token_endpoint_auth_methods_supported: ['client_secret_post'],
            code_challenge_methods_supported: ['S256'],
          }),
        );
    });
    await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
    bareUrl = `http://localhost:${(bare.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await stack?.close();
    await new Promise<void>((resolve) => bare.close(() => resolve()));
  });

  const fapi2Findings = (findings: Finding[]) => findings.filter((f) => f.check === 'fapi2');

  it('the doctor checks discovery for PAR, DPoP, private_key_jwt and RFC 9207 iss', async () => {
    const env: Env = { ...FAPI2, OIDC_ISSUER: stack.idpUrl, BACK_URL: stack.apiUrl, FRONT_URL: 'http://localhost:4299' };
    const good = await diagnose(env);
    expect(fapi2Findings(good)).toEqual([expect.objectContaining({ severity: 'ok' })]);
    expect(good.filter((f) => f.severity === 'error')).toEqual([]);

    const missing = fapi2Findings(await diagnose({ ...env, OIDC_ISSUER: bareUrl }));
    expect(missing.every((f) => f.severity === 'error' && f.fix)).toBe(true);
    expect(missing.map((f) => /lacks (\S+)\./.exec(f.message)?.[1]).sort()).toEqual([
      'authorization_response_iss_parameter_supported',
      'dpop_signing_alg_values_supported',
      'pushed_authorization_request_endpoint',
      'token_endpoint_auth_methods_supported',
    ]);
    // Outside the profile the same IdP raises no FAPI 2.0 finding.
    expect(fapi2Findings(await diagnose({ OIDC_ISSUER: bareUrl, BACK_URL: stack.apiUrl, FRONT_URL: 'http://localhost:4299' }))).toEqual([]);
  });

  it('prints the FAPI 2.0 registration, confirmed against discovery', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/config/doctor-cli.ts'], {
      env: { ...process.env, ...FAPI2, OIDC_ISSUER: stack.idpUrl, BACK_URL: stack.apiUrl, FRONT_URL: 'http://localhost:4299' },
    });
    expect(stdout).toMatch(/✔ Client authentication +private_key_jwt/);
    expect(stdout).toMatch(/Client keys \(jwks_uri\) +http:\/\/localhost:\d+\/api\/jwks/);
    expect(stdout).toMatch(/✔ DPoP-bound access tokens/);
    expect(stdout).toMatch(/✔ Pushed authorization requests +required/);
    expect(stdout).toMatch(/✔ \[fapi2\]/);
  });

  it('discovery refuses an IdP without them: the API stays not ready and says what is missing', async () => {
    const lines: string[] = [];
    const config = loadConfig({ ...FAPI2, OIDC_ISSUER: bareUrl });
    const oidc = createOidcService({
      ...config.oidc,
      logger: createLogger({ destination: { write: (line: string) => void lines.push(line) } }),
      retryDelayMs: 60_000,
    });
    try {
      const error = await oidc.get().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(IdpUnavailableError);
      expect((error as Error).cause).toBeInstanceOf(IdpProfileError);
      expect((error as { cause: IdpProfileError }).cause.missing).toContain('pushed_authorization_request_endpoint');
      expect(oidc.status()).toMatchObject({ ready: false, lastError: 'IDP_PROFILE_UNSUPPORTED' });
      expect(lines.some((l) => l.includes('idp.profile_unsupported') && l.includes('dpop_signing_alg_values_supported'))).toBe(true);
    } finally {
      oidc.stop();
    }
  });
});
