import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { LOGOUT_TOKEN_MAX_AGE_SECONDS, TokenRejectedError, TokenVerifier, type LogoutClaims } from './token-verifier.js';
import { MemoryReplayCache } from './replay-cache.js';

const ISSUER = 'https://idp.example.test';
const T0 = 1_800_000_000;

let clock = T0 * 1000;
let privateKey: CryptoKey;
let verifier: TokenVerifier;
beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  privateKey = pair.privateKey;
  verifier = new TokenVerifier({ issuer: ISSUER, clientId: 'bff', audience: 'api', algorithms: ['RS256'], keys: async () => pair.publicKey, now: () => clock });
});

function logoutToken(claims: JWTPayload): Promise<string> {
  return new SignJWT({ iss: ISSUER, aud: 'bff', sid: 's1', jti: 'j1', events: { 'http://schemas.openid.net/event/backchannel-logout': {} }, ...claims })
    .setProtectedHeader({ alg: 'RS256', typ: 'logout+jwt' })
    .sign(privateKey);
}

/** The claims if the token is accepted at `at` (epoch ms), undefined if refused. */
async function acceptedAt(token: string, at: number): Promise<LogoutClaims | undefined> {
  clock = at;
  try {
    return await verifier.verifyLogoutToken(token);
  } catch (error) {
    if (error instanceof TokenRejectedError) return undefined;
    throw error;
  }
}

describe('a logout token is remembered for as long as it is accepted (S5)', () => {
  it('for any iat, exp and two instants: if accepted at both, the jti is still remembered at the later one; refused once forgotten', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: -10, max: 10 }),
        fc.integer({ min: -10, max: 2 * LOGOUT_TOKEN_MAX_AGE_SECONDS }),
        fc.integer({ min: -10_000, max: (LOGOUT_TOKEN_MAX_AGE_SECONDS + 10) * 1000 }),
        fc.integer({ min: 0, max: (LOGOUT_TOKEN_MAX_AGE_SECONDS + 20) * 1000 }),
        async (iatSkew, lifetime, firstAfterIat, later) => {
          const iat = T0 + iatSkew;
          const token = await logoutToken({ iat, exp: iat + lifetime });
          const first = await acceptedAt(token, iat * 1000 + firstAfterIat);
          if (!first) return;
          const second = iat * 1000 + firstAfterIat + later;
          if (await acceptedAt(token, second)) expect(second).toBeLessThan(first.acceptedUntil);
          // and not remembered for longer than needed
          expect(await acceptedAt(token, first.acceptedUntil)).toBeUndefined();
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses a token without exp, with exp past the tolerance, or with iat in the future beyond it', async () => {
    const at = T0 * 1000;
    expect(await acceptedAt(await logoutToken({ iat: T0 }), at)).toBeUndefined();
    expect(await acceptedAt(await logoutToken({ iat: T0 - 60, exp: T0 - 6 }), at)).toBeUndefined();
    expect(await acceptedAt(await logoutToken({ iat: T0 + 6, exp: T0 + 120 }), at)).toBeUndefined();
    expect(await acceptedAt(await logoutToken({ iat: T0 - LOGOUT_TOKEN_MAX_AGE_SECONDS - 6, exp: T0 + 60 }), at)).toBeUndefined();
    expect(await acceptedAt(await logoutToken({ iat: T0, exp: T0 + 120 }), at)).toMatchObject({ jti: 'j1', sid: 's1' });
  });

  it('the memory replay cache refuses a jti until the time it was given, and accepts it again after', async () => {
    let now = 0;
    const cache = new MemoryReplayCache(() => now);
    expect(await cache.firstUse('j', 1000)).toBe(true);
    now = 999;
    expect(await cache.firstUse('j', 5000)).toBe(false);
    now = 1000;
    expect(await cache.firstUse('j', 5000)).toBe(true);
  });
});
