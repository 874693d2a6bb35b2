import type { Config } from './env.js';
import type { Finding } from './finding.js';
import type { DiscoveryMetadata } from './doctor-registration.js';

/**
 * Step-up (S29) as far as discovery tells: whether the IdP advertises the `acr` values of
 * `OIDC_ACR_ORDER` (`acr_values_supported`) and the `acr` and `auth_time` claims. Whether it
 * honours `acr_values` is seen at a step-up: an IdP that ignores it ends in `step_up_failed`.
 */
export function stepUpFindings(config: Config, metadata: DiscoveryMetadata): Finding[] {
  const order = config.authz.acrOrder;
  const ordered = order.join(' < ');
  const supported = Array.isArray(metadata['acr_values_supported']) ? (metadata['acr_values_supported'] as unknown[]) : undefined;
  const claims = Array.isArray(metadata['claims_supported']) ? (metadata['claims_supported'] as unknown[]) : undefined;
  const findings: Finding[] = [];
  if (!supported) {
    findings.push({
      severity: 'info',
      check: 'step-up',
      message: `Step-up ranks ${ordered} (OIDC_ACR_ORDER); the IdP does not advertise acr_values_supported, so whether it honours acr_values shows at a first step-up (a weaker acr ends in step_up_failed).`,
    });
  } else {
    const unknown = order.filter((acr) => !supported.includes(acr));
    const offered = supported.filter((value): value is string => typeof value === 'string').slice(0, 16);
    findings.push(
      unknown.length === 0
        ? { severity: 'ok', check: 'step-up', message: `Step-up ranks ${ordered} (OIDC_ACR_ORDER), all advertised by the IdP.` }
        : {
            severity: 'warn',
            check: 'step-up',
            message: `OIDC_ACR_ORDER lists ${unknown.join(', ')}, which the IdP does not advertise (acr_values_supported: ${offered.join(', ') || 'none'}): a step-up to it would end in step_up_failed.`,
            fix: `Set OIDC_ACR_ORDER to the IdP's acr values, weakest first${offered.length > 0 ? ` (from ${offered.join(' ')})` : ''}, and name those values in stepUpProcedure.`,
          },
    );
  }
  const missing = claims ? ['acr', 'auth_time'].filter((claim) => !claims.includes(claim)) : [];
  if (missing.length > 0)
    findings.push({
      severity: 'info',
      check: 'step-up',
      message: `The IdP's claims_supported does not list ${missing.join(' or ')}: a step-up procedure is met only when the ID token carries them.`,
    });
  return findings;
}
