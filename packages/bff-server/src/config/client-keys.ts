import { createHash, createPrivateKey, createPublicKey, webcrypto, type JsonWebKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** The signature algorithms of the FAPI 2.0 profile: for client assertions, DPoP proofs and the IdP's tokens. */
export const FAPI2_ALGORITHMS = ['ES256', 'PS256'] as const;
export type Fapi2Algorithm = (typeof FAPI2_ALGORITHMS)[number];

/** RSA keys under this size are refused (FAPI 2.0 Security Profile §5.4.1). */
export const MIN_RSA_BITS = 2048;

/** A private key read from a file, and what the API may publish of it. */
export interface ClientKey {
  /** ES256 for an EC P-256 key, PS256 for an RSA key of at least {@link MIN_RSA_BITS} bits. */
  readonly alg: Fapi2Algorithm;
  /** RFC 7638 thumbprint (SHA-256, base64url) of the public key: the `cnf.jkt` of tokens bound to it. */
  readonly thumbprint: string;
  /** The JWK file's own `kid`, else the thumbprint. */
  readonly kid: string;
  /** Kept in memory only, imported once as a non-extractable `CryptoKey` for signing. */
  readonly privateJwk: JsonWebKey;
  /** What a JWKS publishes: the public members, `kid`, `alg` and `use: sig`. */
  readonly publicJwk: JsonWebKey & { readonly kid: string; readonly alg: Fapi2Algorithm; readonly use: 'sig' };
}

/** A key file that cannot serve the FAPI 2.0 profile; `message` says why and how to fix it, and never holds key material. */
export class ClientKeyError extends Error {
  readonly code = 'CLIENT_KEY_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'ClientKeyError';
  }
}

/** How to make a key that is accepted, for error messages. */
export const KEY_GENERATION_HINT = 'generate one with: openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out key.pem';

/**
 * Reads a private key from a PEM (PKCS#8, SEC1 or PKCS#1) or JWK file and checks
 * that it can sign with ES256 (EC P-256) or PS256 (RSA, at least 2048 bits).
 *
 * @throws {ClientKeyError} naming what is wrong with the file.
 * @see https://openid.net/specs/fapi-security-profile-2_0-final.html#name-cryptography-and-secrets
 */
export function readClientKey(path: string): ClientKey {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new ClientKeyError(
      `cannot read ${path} (${typeof code === 'string' ? code : 'unreadable'}); give the path of a PEM or JWK file with the private key.`,
    );
  }
  const fileJwk = parseJwk(text);
  let key: KeyObject;
  try {
    key = fileJwk ? createPrivateKey({ key: fileJwk, format: 'jwk' }) : createPrivateKey(text);
  } catch {
    throw new ClientKeyError(`${path} holds no private key in PEM (PKCS#8, SEC1 or PKCS#1) or JWK format; ${KEY_GENERATION_HINT}`);
  }
  const alg = algorithmOf(key, path);
  if (fileJwk && typeof fileJwk['alg'] === 'string' && fileJwk['alg'] !== alg) {
    throw new ClientKeyError(`${path} declares "alg": "${fileJwk['alg']}"; this key may only be used with ${alg} here. Remove "alg" or set it to ${alg}.`);
  }
  const privateJwk = key.export({ format: 'jwk' });
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicMembers } = createPublicKey(key).export({ format: 'jwk' });
  const thumbprint = jwkThumbprint(publicMembers);
  const kid = fileJwk && typeof fileJwk['kid'] === 'string' && fileJwk['kid'] ? fileJwk['kid'] : thumbprint;
  return { alg, thumbprint, kid, privateJwk, publicJwk: { ...publicMembers, kid, alg, use: 'sig' } };
}

function parseJwk(text: string): JsonWebKey | undefined {
  if (!text.trimStart().startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonWebKey) : undefined;
  } catch {
    return undefined;
  }
}

function algorithmOf(key: KeyObject, path: string): Fapi2Algorithm {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'ec') {
    if (details.namedCurve === 'prime256v1') return 'ES256';
    throw new ClientKeyError(`${path} is an EC key on ${details.namedCurve ?? 'an unknown curve'}; ES256 needs the P-256 curve. ${KEY_GENERATION_HINT}`);
  }
  if (key.asymmetricKeyType === 'rsa') {
    const bits = details.modulusLength ?? 0;
    if (bits >= MIN_RSA_BITS) return 'PS256';
    throw new ClientKeyError(
      `${path} is an RSA key of ${bits} bits; PS256 needs at least ${MIN_RSA_BITS} bits. Generate a new key: openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out key.pem, or an EC P-256 key.`,
    );
  }
  throw new ClientKeyError(
    `${path} is an ${key.asymmetricKeyType ?? 'unknown'} key; the FAPI 2.0 profile signs with ES256 (EC P-256) or PS256 (RSA of at least ${MIN_RSA_BITS} bits). ${KEY_GENERATION_HINT}`,
  );
}

/**
 * The RFC 7638 thumbprint of an EC or RSA public JWK: SHA-256 over its required
 * members in lexicographic order, base64url.
 * @see https://www.rfc-editor.org/rfc/rfc7638#section-3
 */
export function jwkThumbprint(jwk: JsonWebKey): string {
  const members = jwk.kty === 'EC' ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y } : { e: jwk.e, kty: jwk.kty, n: jwk.n };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

/** The Web Crypto parameters of a key's algorithm, for `crypto.subtle.importKey`. */
function importParameters(alg: Fapi2Algorithm): webcrypto.EcKeyImportParams | webcrypto.RsaHashedImportParams {
  return alg === 'ES256' ? { name: 'ECDSA', namedCurve: 'P-256' } : { name: 'RSA-PSS', hash: 'SHA-256' };
}

/**
 * The key as Web Crypto keys for openid-client: the private half non-extractable, the
 * public half extractable (a DPoP proof carries it in its header).
 */
export async function importClientKey(key: ClientKey): Promise<{ privateKey: webcrypto.CryptoKey; publicKey: webcrypto.CryptoKey }> {
  const parameters = importParameters(key.alg);
  const { kid: _kid, alg: _alg, use: _use, ...publicJwk } = key.publicJwk;
  const [privateKey, publicKey] = await Promise.all([
    webcrypto.subtle.importKey('jwk', key.privateJwk as webcrypto.JsonWebKey, parameters, false, ['sign']),
    webcrypto.subtle.importKey('jwk', publicJwk as webcrypto.JsonWebKey, parameters, true, ['verify']),
  ]);
  return { privateKey, publicKey };
}
