import type { ClientKey } from './client-keys.js';

/** `oidc.profile` (`OIDC_PROFILE`): `oidc` (code flow, PKCE, client secret) or `fapi2` (the FAPI 2.0 Security Profile). */
export type OidcProfile = 'oidc' | 'fapi2';

/** The API's two keys in the `fapi2` profile, one per purpose. */
export interface Fapi2Keys {
  /** `OIDC_CLIENT_PRIVATE_KEY`: signs the `private_key_jwt` client assertions; its public half is served at `/api/jwks`. */
  readonly client: ClientKey;
  /** `OIDC_DPOP_PRIVATE_KEY`: signs DPoP proofs; access tokens are bound to its thumbprint (`cnf.jkt`). */
  readonly dpop: ClientKey;
}
