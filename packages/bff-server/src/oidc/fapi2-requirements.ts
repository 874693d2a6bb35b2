import type { Fapi2Keys } from '../config/fapi2.js';

/** One thing the FAPI 2.0 profile needs of the identity provider, and whether its discovery document offers it. */
export interface Fapi2Requirement {
  /** The discovery metadata that shows it, e.g. `pushed_authorization_request_endpoint`. */
  readonly metadata: string;
  readonly met: boolean;
  /** What the IdP's administrator must enable. */
  readonly fix: string;
}

/**
 * What the `fapi2` profile needs of the IdP, checked against its discovery document
 * (RFC 8414 / OpenID Discovery): discovery refuses an IdP that misses any of it, and
 * the doctor lists each item.
 *
 * @see https://openid.net/specs/fapi-security-profile-2_0-final.html#name-authorization-server
 */
export function fapi2Requirements(metadata: Readonly<Record<string, unknown>>, keys: Pick<Fapi2Keys, 'client' | 'dpop'>): Fapi2Requirement[] {
  const list = (key: string): readonly unknown[] | undefined => (Array.isArray(metadata[key]) ? (metadata[key] as unknown[]) : undefined);
  const clientAlgs = list('token_endpoint_auth_signing_alg_values_supported');
  return [
    {
      metadata: 'pushed_authorization_request_endpoint',
      met: typeof metadata['pushed_authorization_request_endpoint'] === 'string',
      fix: 'Enable pushed authorization requests (RFC 9126) at the IdP.',
    },
    {
      metadata: 'dpop_signing_alg_values_supported',
      met: list('dpop_signing_alg_values_supported')?.includes(keys.dpop.alg) === true,
      fix: `Enable DPoP (RFC 9449) at the IdP, with ${keys.dpop.alg} proofs (the algorithm of OIDC_DPOP_PRIVATE_KEY).`,
    },
    {
      metadata: 'token_endpoint_auth_methods_supported',
      met: list('token_endpoint_auth_methods_supported')?.includes('private_key_jwt') === true,
      fix: 'Allow private_key_jwt client authentication (RFC 7523) at the IdP.',
    },
    {
      // Unlisted means unknown rather than refused (RFC 8414 gives no default).
      metadata: 'token_endpoint_auth_signing_alg_values_supported',
      met: clientAlgs === undefined || clientAlgs.includes(keys.client.alg),
      fix: `Accept ${keys.client.alg} client assertions at the IdP (the algorithm of OIDC_CLIENT_PRIVATE_KEY), or use a key it accepts.`,
    },
    {
      metadata: 'authorization_response_iss_parameter_supported',
      met: metadata['authorization_response_iss_parameter_supported'] === true,
      fix: 'The IdP must return "iss" in authorization responses (RFC 9207), the FAPI 2.0 defence against mix-up attacks.',
    },
    {
      metadata: 'code_challenge_methods_supported',
      met: list('code_challenge_methods_supported')?.includes('S256') === true,
      fix: 'Enable PKCE with S256 at the IdP.',
    },
  ];
}
