import type { Config } from './env.js';
import type { Finding } from './finding.js';
import type { DiscoveryMetadata } from './doctor-registration.js';

/**
 * Where the user's name, email and groups come from, as far as the configuration and the
 * IdP's discovery document tell without a user to sign in: the ID token first, userinfo
 * when `OIDC_USERINFO` and the IdP allow it (its `sub` checked, ID-token claims winning),
 * and for groups the source `GROUPS_SOURCE` names and how a joined string is split. Which
 * of them a given IdP actually fills is seen at a sign-in (README, "Enterprise SSOs as they are").
 */
export function claimSourceFindings(config: Config, metadata: DiscoveryMetadata): Finding[] {
  const findings: Finding[] = [];
  const scopes = new Set(config.oidc.scope.split(' '));
  const mode = config.oidc.userinfo;
  const userinfo = typeof metadata['userinfo_endpoint'] === 'string';
  const advertised = Array.isArray(metadata['claims_supported']) ? (metadata['claims_supported'] as unknown[]) : undefined;
  const notAdvertised = (claim: string) =>
    advertised && !advertised.includes(claim) ? ` The IdP's discovery document does not list "${claim}" in claims_supported.` : '';
  const userinfoPart =
    mode === 'never'
      ? 'userinfo is never asked (OIDC_USERINFO=never)'
      : !userinfo
        ? 'the IdP has no userinfo endpoint to complete it'
        : mode === 'always'
          ? 'userinfo is asked at every sign-in and refresh (OIDC_USERINFO=always), the ID token winning'
          : "userinfo is asked when the ID token lacks it, at sign-in and after each refresh (OIDC_USERINFO=auto), its sub checked against the ID token's";

  for (const [claim, scope, fallback] of [
    ['name', 'profile', 'the user is named by their sub'],
    ['email', 'email', 'the email is null'],
  ] as const) {
    if (!scopes.has(scope)) {
      findings.push({
        severity: 'info',
        check: 'claims',
        message: `${claim}: not asked for (OIDC_SCOPES has no ${scope}): ${fallback}.`,
        fix: `Add ${scope} to OIDC_SCOPES.`,
      });
      continue;
    }
    findings.push({
      severity: mode === 'never' || !userinfo ? 'info' : 'ok',
      check: 'claims',
      message: `${claim}: from the ID token; ${userinfoPart}; without either, ${fallback}.${notAdvertised(claim)}`,
    });
  }
  if (mode === 'always' && !userinfo) {
    findings.push({
      severity: 'error',
      check: 'claims',
      message: 'OIDC_USERINFO=always but the IdP publishes no userinfo_endpoint: every sign-in would be refused.',
      fix: 'Set OIDC_USERINFO=auto (or never), or enable userinfo at the IdP.',
    });
  }

  const { groupsClaim, groupsSource = 'first', groupsSeparator } = config.authz;
  const where =
    groupsSource === 'first'
      ? `the first of the access token, the ID token and userinfo that has the "${groupsClaim}" claim (GROUPS_SOURCE=first)`
      : `the ${groupsSource.replace('_', ' ')}'s "${groupsClaim}" claim only (GROUPS_SOURCE=${groupsSource})`;
  const split = groupsSeparator
    ? `a claim that is one string is split at "${groupsSeparator}" (GROUPS_SEPARATOR); array items are taken whole`
    : 'a claim that is one string is one group (an IdP that joins them, e.g. "analysts,staff", needs GROUPS_SEPARATOR=,); array items are taken whole';
  const directory = config.ldap ? '; when none of them has groups, the directory (LDAP_*) gives them' : '';
  findings.push({ severity: 'ok', check: 'claims', message: `groups: from ${where}; ${split}${directory}.${notAdvertised(groupsClaim)}` });
  if (groupsSource === 'userinfo' && (mode === 'never' || !userinfo)) {
    findings.push({
      severity: 'error',
      check: 'claims',
      message: `GROUPS_SOURCE=userinfo but ${mode === 'never' ? 'OIDC_USERINFO=never' : 'the IdP has no userinfo endpoint'}: no user would have groups.`,
      fix: 'Set GROUPS_SOURCE to where the IdP puts groups (first, access_token or id_token).',
    });
  }
  return findings;
}
