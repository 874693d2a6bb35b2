import { describe, expect, it } from 'vitest';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWTVerifyGetKey } from 'jose';
import { TokenVerifier, VerifiedTokenCache, type AccessTokenClaims } from './token-verifier.js';

async function setup(now: () => number) {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = await exportJWK(publicKey);
  let keyLookups = 0;
  const keys: JWTVerifyGetKey = async () => {
    keyLookups += 1;
    return importJWK(jwk, 'RS256');
  };
  const verifier = new TokenVerifier({ issuer: 'https://idp', clientId: 'bff', audience: 'api', algorithms: ['RS256'], keys, now, cacheSize: 2 });
  const verify = (token: string) => verifier.verifyAccessToken(token);
  const sign = (exp: number, sub = 'alice') =>
    new SignJWT({ groups: ['g'] })
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer('https://idp')
      .setAudience('api')
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime(exp)
      .sign(privateKey);
  return { verify, sign, lookups: () => keyLookups };
}

describe('verified-token cache', () => {
  it('verifies a token once and serves later calls from the cache', async () => {
    const { verify, sign, lookups } = await setup(Date.now);
    const token = await sign(Math.floor(Date.now() / 1000) + 600);
    expect((await verify(token)).ok).toBe(true);
    expect((await verify(token)).ok).toBe(true);
    expect(lookups()).toBe(1);
  });

  it('never serves a cached result past the token expiry', () => {
    let clock = 1_000_000_000_000;
    const cache = new VerifiedTokenCache(10, () => clock);
    const exp = clock / 1000 + 60;
    cache.set('token', { sub: 'alice', exp, groups: [] } as AccessTokenClaims);
    expect(cache.get('token')?.sub).toBe('alice');
    clock = exp * 1000;
    expect(cache.get('token')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('does not cache failures', async () => {
    const { verify, lookups } = await setup(Date.now);
    const bad = `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}.AAAA`;
    expect((await verify(bad)).ok).toBe(false);
    expect((await verify(bad)).ok).toBe(false);
    expect(lookups()).toBe(2);
  });

  it('stays bounded, dropping the oldest entries', async () => {
    const { verify, sign, lookups } = await setup(Date.now);
    const exp = Math.floor(Date.now() / 1000) + 600;
    const [a, b, c] = await Promise.all([sign(exp, 'a'), sign(exp, 'b'), sign(exp, 'c')]);
    for (const t of [a, b, c]) await verify(t);
    expect(lookups()).toBe(3);
    await verify(c);
    expect(lookups()).toBe(3);
    await verify(a); // evicted by c
    expect(lookups()).toBe(4);
  });
});
