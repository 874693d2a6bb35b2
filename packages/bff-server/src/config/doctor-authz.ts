import type { Config } from './env.js';
import type { Finding } from './finding.js';
import { rolesNoGroupGrants } from '../authz/roles.js';
import { parseDn } from '../authz/dn.js';
import { DirectoryUnavailableError, LdapDirectory } from '../directory/ldap-directory.js';
import { createOidcService, describeError, IdpUnavailableError } from '../oidc/discovery.js';
import { introspectAccessToken, ResponseBodyError } from '../oidc/flows.js';
import { createLogger } from '../log.js';

/**
 * Checks against the live directory (`LDAP_*`): the service account binds and reads
 * both bases, and every role of `ROLE_MAP` is granted by some group under
 * `LDAP_GROUP_BASE`. Messages name the account, never its password (S23).
 */
export async function directoryFindings(config: Config): Promise<Finding[]> {
  const ldap = config.ldap;
  if (!ldap) return [];
  const directory = new LdapDirectory(ldap);
  const checked = await directory.check();
  if (!checked.ok) {
    return [
      {
        severity: 'error',
        check: 'directory',
        message: `Cannot use the directory at ${ldap.url} as ${ldap.bindDn}: ${checked.detail}.`,
        fix: 'Check LDAP_URL (and LDAP_STARTTLS), LDAP_BIND_DN and LDAP_BIND_PASSWORD, and that this account may read LDAP_USER_BASE and LDAP_GROUP_BASE.',
      },
    ];
  }
  const findings: Finding[] = [
    { severity: 'ok', check: 'directory', message: `Bound to ${ldap.url} as ${ldap.bindDn}; ${ldap.userBase} and ${ldap.groupBase} can be read.` },
  ];
  let groups: string[];
  try {
    groups = await directory.groupDns();
  } catch (error) {
    return [
      ...findings,
      {
        severity: 'error',
        check: 'role-map',
        message: `Cannot list the groups under ${ldap.groupBase} (${describeError(error instanceof DirectoryUnavailableError ? error.cause : error)}).`,
        fix: 'Let the service account search LDAP_GROUP_BASE.',
      },
    ];
  }
  const ungranted = rolesNoGroupGrants(config.authz.roleMap, groups);
  if (ungranted.length === 0) {
    findings.push({
      severity: 'ok',
      check: 'role-map',
      message: `Every role of ROLE_MAP is granted by a group of the directory (${groups.length} group(s) under ${ldap.groupBase}).`,
    });
    return findings;
  }
  for (const role of ungranted) {
    const mapped = config.authz.roleMap[role] ?? [];
    // A name in the map often is the directory group's cn: suggest that group's DN.
    const example = groups.find((dn) => mapped.some((name) => firstRdnValue(dn) === name.toLowerCase())) ?? `cn=<group>,${ldap.groupBase}`;
    findings.push({
      severity: 'warn',
      check: 'role-map',
      message: `No group under ${ldap.groupBase} grants the role "${role}" (ROLE_MAP gives it to ${mapped.map((g) => `"${g}"`).join(', ')}); users whose groups come from the directory never get it.`,
      fix: `Map the role to directory groups by DN, e.g. ROLE_MAP={"${role}":["${example}"]} (DNs compare case- and space-insensitively; plain names only match token claims).`,
    });
  }
  return findings;
}

function firstRdnValue(dn: string): string | undefined {
  try {
    return parseDn(dn)[0]?.[0]?.value.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * With `OIDC_ACCESS_TOKEN_VERIFY=introspection`: the IdP advertises an
 * `introspection_endpoint`, and our client may call it (a made-up token is answered
 * `active: false`, not refused with 401). Nothing when the IdP cannot be discovered:
 * the discovery check already says so.
 */
export async function introspectionFindings(config: Config): Promise<Finding[]> {
  if (config.oidc.accessTokenVerify !== 'introspection') return [];
  // Discovered as in jwt mode, so that a missing endpoint is reported here rather than failing discovery.
  const oidc = createOidcService({ ...config.oidc, accessTokenVerify: 'jwt', logger: createLogger({ destination: { write: () => true } }) });
  let idp;
  try {
    idp = await oidc.get();
  } catch (error) {
    if (error instanceof IdpUnavailableError) return [];
    throw error;
  } finally {
    oidc.stop();
  }
  const endpoint = idp.metadata.introspection_endpoint;
  if (!endpoint) {
    return [
      {
        severity: 'error',
        check: 'introspection',
        message: 'OIDC_ACCESS_TOKEN_VERIFY=introspection, but the IdP advertises no introspection_endpoint.',
        fix: `Enable token introspection (RFC 7662) at the IdP for client ${config.oidc.clientId}, or set OIDC_ACCESS_TOKEN_VERIFY=jwt if it issues JWT access tokens.`,
      },
    ];
  }
  try {
    const answer = await introspectAccessToken(idp.configuration, `doctor-probe-${Date.now()}`);
    return answer.active
      ? [
          {
            severity: 'error',
            check: 'introspection',
            message: `${endpoint} says a made-up token is active.`,
            fix: "The IdP's introspection endpoint cannot be trusted; check its configuration.",
          },
        ]
      : [
          {
            severity: 'ok',
            check: 'introspection',
            message: `Client ${config.oidc.clientId} may introspect at ${endpoint} (a made-up token is inactive); answers are reused for at most ${config.oidc.introspectionCacheTtlSeconds} s.`,
          },
        ];
  } catch (error) {
    const refused = error instanceof ResponseBodyError ? ` (HTTP ${error.status} ${error.error})` : ` (${describeError(error)})`;
    return [
      {
        severity: 'error',
        check: 'introspection',
        message: `${endpoint} refused client ${config.oidc.clientId}${refused}.`,
        fix: `Allow client ${config.oidc.clientId} to call the introspection endpoint with client_secret_post, and check OIDC_CLIENT_ID and OIDC_CLIENT_SECRET.`,
      },
    ];
  }
}
