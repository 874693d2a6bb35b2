import type { Config } from './env.js';
import type { Finding } from './finding.js';
import { fapi2Requirements } from '../oidc/fapi2-requirements.js';

/**
 * With `OIDC_PROFILE=fapi2`: whether the IdP's discovery document offers what the
 * FAPI 2.0 profile needs (PAR, DPoP with our key's algorithm, `private_key_jwt`, RFC 9207
 * `iss`, PKCE S256). Each missing item is an error: the API refuses such an IdP at
 * discovery and stays not-ready.
 */
export function fapi2Findings(config: Config, metadata: Readonly<Record<string, unknown>>): Finding[] {
  const keys = config.oidc.fapi2;
  if (!keys) return [];
  const requirements = fapi2Requirements(metadata, keys);
  const missing = requirements.filter((r) => !r.met);
  if (missing.length === 0) {
    return [{ severity: 'ok', check: 'fapi2', message: `The IdP offers the FAPI 2.0 profile: ${requirements.map((r) => r.metadata).join(', ')}.` }];
  }
  return missing.map((r) => ({
    severity: 'error' as const,
    check: 'fapi2',
    message: `OIDC_PROFILE=fapi2, but the IdP's discovery document lacks ${r.metadata}.`,
    fix: r.fix,
  }));
}
