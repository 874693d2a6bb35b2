import type { Request, Response } from 'express';
import type { Fapi2Keys } from '../config/fapi2.js';

/** How long the IdP may keep the keys before reading them again; a rotation is seen within this time. */
const MAX_AGE_SECONDS = 300;

/**
 * `GET /api/jwks` (FAPI 2.0 profile only): the public half of `OIDC_CLIENT_PRIVATE_KEY`,
 * the `jwks_uri` registered at the IdP, which checks our `private_key_jwt` client
 * assertions with it. The DPoP key is not listed: every DPoP proof carries its own.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-5
 * @see https://www.rfc-editor.org/rfc/rfc7523#section-3
 */
export function jwksEndpoint(keys: Fapi2Keys) {
  const body = JSON.stringify({ keys: [keys.client.publicJwk] });
  return (_req: Request, res: Response): void => {
    res.set('cache-control', `public, max-age=${MAX_AGE_SECONDS}`);
    res.type('application/jwk-set+json').send(body);
  };
}
