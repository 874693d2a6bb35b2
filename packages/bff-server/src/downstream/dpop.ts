import { createHash, randomBytes } from 'node:crypto';
import { importJWK, SignJWT, type CryptoKey, type JWK } from 'jose';
import { LRUCache } from 'lru-cache';
import type { ClientKey } from '../config/client-keys.js';

/** Origins whose latest `DPoP-Nonce` is remembered, at most. */
const NONCE_ORIGINS = 100;

/**
 * DPoP proofs (RFC 9449 §4) for calls to downstream APIs in the FAPI 2.0 profile, with the
 * API's DPoP key, the one the IdP binds their tokens to (`cnf.jkt`): one proof per request
 * (`htm`, `htu`, `ath`, a fresh `jti`), and the nonce each API last gave (§8). Written here
 * because openid-client's DPoP handle makes proofs only inside its own requests, and the
 * downstream calls go through undici (see `call.ts`).
 */
export class DpopProofs {
  readonly #key: Promise<CryptoKey | Uint8Array>;
  readonly #header: { readonly alg: string; readonly typ: 'dpop+jwt'; readonly jwk: JWK };

  readonly #nonces = new LRUCache<string, string>({ max: NONCE_ORIGINS });

  constructor(key: ClientKey) {
    const { kid: _kid, use: _use, alg: _alg, ...jwk } = key.publicJwk;
    this.#key = importJWK(key.privateJwk as JWK, key.alg);
    this.#header = { alg: key.alg, typ: 'dpop+jwt', jwk: jwk as JWK };
  }

  /** The `DPoP` header of one request carrying `accessToken`. */
  async proof(method: string, url: URL, accessToken: string): Promise<string> {
    const nonce = this.#nonces.get(url.origin);
    return new SignJWT({
      htm: method,
      htu: `${url.origin}${url.pathname}`,
      ath: createHash('sha256').update(accessToken).digest('base64url'),
      jti: randomBytes(16).toString('base64url'),
      ...(nonce ? { nonce } : {}),
    })
      .setProtectedHeader(this.#header)
      .setIssuedAt()
      .sign(await this.#key);
  }

  /** Keeps the nonce an API sent (`DPoP-Nonce`), for its next proofs; true when it is a new one. */
  remember(origin: string, nonce: string | undefined): boolean {
    if (!nonce || this.#nonces.get(origin) === nonce) return false;
    this.#nonces.set(origin, nonce);
    return true;
  }
}
