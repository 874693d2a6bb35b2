import type * as client from 'openid-client';
import type { TokenVerifier } from './token-verifier.js';

/**
 * The identity provider once discovered (by `discovery.ts`), as the flows use it: its
 * metadata, for openid-client's calls, and the one token verifier. In a file of its own
 * so that discovery and the flows both depend on it and not on each other.
 */
export interface Idp {
  /** openid-client's view of the IdP and our client; used by the flows in `oidc/`. */
  readonly configuration: client.Configuration;
  readonly metadata: client.ServerMetadata;
  readonly tokens: TokenVerifier;
  /** The API's DPoP key (RFC 9449) in the `fapi2` profile: proofs on PAR, code exchange and refresh. */
  readonly dpop: client.DPoPHandle | undefined;
}
