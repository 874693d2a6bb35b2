import type { LoginErrorCode } from '@oidc-bff/protocol';
import { describeError, outcomeOf } from '../errors.js';
import { groupsOf, type AuthzSettings } from '../authz/grants.js';
import { groupsClaimOf } from '../authz/roles.js';
import { fetchUserinfo } from './flows.js';
import type { Idp } from './idp.js';

/** `OIDC_USERINFO`: ask userinfo when the ID token lacks a requested claim (`auto`), `always`, or `never`. */
export type UserinfoMode = 'auto' | 'always' | 'never';

type Claims = Readonly<Record<string, unknown>>;

/** Who signed in, from the ID token and, where it lacked them, userinfo (ID-token claims win). */
export interface SignInIdentity {
  readonly name: string;
  readonly email: string | null;
  /** The groups at the groups claim of the userinfo answer, when userinfo was asked and had it. */
  readonly userinfoGroups: readonly string[] | undefined;
}

export type SignInIdentityResult =
  | {
      readonly ok: true;
      readonly identity: SignInIdentity;
      /** Userinfo answered (its claims are merged); false when it was not asked, or failed and the failure was only warned. */
      readonly fromUserinfo: boolean;
    }
  | { readonly ok: false; readonly code: LoginErrorCode; readonly detail: string };

/**
 * The claims a sign-in requested that the ID token lacks: `name` with the `profile` scope,
 * `email` with `email`, and the groups claim when `GROUPS_SOURCE` may read it at userinfo and
 * neither token had it. Strict IdPs release these only at userinfo (OIDC Core §5.4).
 */
export function missingClaims(scope: string, idClaims: Claims, accessClaims: Claims, authz: AuthzSettings): string[] {
  const scopes = new Set(scope.split(' '));
  const missing: string[] = [];
  if (scopes.has('profile') && typeof idClaims['name'] !== 'string') missing.push('name');
  if (scopes.has('email') && typeof idClaims['email'] !== 'string') missing.push('email');
  const source = authz.groupsSource ?? 'first';
  const inTokens = () => groupsOf(accessClaims, { idToken: () => idClaims }, authz) !== undefined;
  if (source === 'userinfo' || (source === 'first' && !inTokens())) missing.push(authz.groupsClaim);
  return missing;
}

/**
 * The signed-in user's name, email and userinfo groups; `sub` is the verified ID and access tokens' one. Userinfo is asked with the access
 * token when the IdP has the endpoint and `mode` says so; an answer whose `sub` is not the ID
 * token's refuses the sign-in (`userinfo_invalid`, S30) in every mode. Any other failure refuses it
 * with `always`; with `auto` it is logged by the caller (`detail`) and the sign-in goes on with the
 * ID token's claims, so that an IdP whose userinfo refuses API-audience tokens still signs users in.
 */
export async function signInIdentity(
  idp: Idp,
  options: {
    readonly mode: UserinfoMode;
    readonly scope: string;
    readonly authz: AuthzSettings;
    /** Only a `sub` mismatch refuses, whatever the mode; any other failure is warned (a refresh: an outage is not a logout, S20). */
    readonly lenient?: boolean;
  },
  tokens: { readonly sub: string; readonly accessToken: string; readonly idClaims: Claims; readonly accessClaims: Claims },
  warn: (detail: string) => void,
): Promise<SignInIdentityResult> {
  const { sub, idClaims } = tokens;
  const fromIdToken = (userinfo: Claims = {}): SignInIdentity => {
    const name = [idClaims['name'], userinfo['name']].find((value) => typeof value === 'string');
    const email = [idClaims['email'], userinfo['email']].find((value) => typeof value === 'string');
    return {
      name: typeof name === 'string' ? name : sub,
      email: typeof email === 'string' ? email : null,
      userinfoGroups: groupsClaimOf(userinfo, options.authz.groupsClaim, options.authz.groupsSeparator),
    };
  };
  const wanted =
    options.mode === 'always' || (options.mode === 'auto' && missingClaims(options.scope, idClaims, tokens.accessClaims, options.authz).length > 0);
  if (!wanted || !idp.metadata.userinfo_endpoint) return { ok: true, identity: fromIdToken(), fromUserinfo: false };
  try {
    const userinfo = await fetchUserinfo(idp, tokens.accessToken, sub);
    return { ok: true, identity: fromIdToken(userinfo), fromUserinfo: true };
  } catch (error) {
    const detail = `userinfo:${describeError(error)}`;
    if ((error as { code?: unknown }).code === 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED') return { ok: false, code: 'userinfo_invalid', detail };
    if (options.mode === 'always' && !options.lenient) {
      const name = error instanceof Error ? error.name : '';
      const unreachable = name === 'TypeError' || name === 'AbortError' || name === 'TimeoutError';
      return { ok: false, code: outcomeOf(error)?.login ?? (unreachable ? 'idp_unavailable' : 'userinfo_invalid'), detail };
    }
    warn(detail);
    return { ok: true, identity: fromIdToken(), fromUserinfo: false };
  }
}
