import type { AuthFailureReason } from '@oidc-bff/protocol';
import type { OidcService } from '../oidc/discovery.js';
import type { TokenRefresher } from '../oidc/refresh.js';
import type { SessionLookup, SessionManager } from './manager.js';
import type { SessionData } from '../session/store.js';
import type { Logger } from '../log.js';
import { decodeJwt } from 'jose';
import { lazyGrants, type AuthzSettings, type Grants } from '../authz/grants.js';
import type { BffHooks } from '../hooks.js';

/** The caller as established from a verified session. */
export interface AuthUser {
  readonly sub: string;
  readonly name: string;
  readonly email: string | null;
}

/** A caller whose groups and roles are known (they may have come from the directory). */
export interface AuthorizedUser extends AuthUser, Grants {}

export type AuthResult =
  | {
      readonly ok: true;
      readonly user: AuthUser;
      readonly session: SessionData;
      /** The caller's groups and roles (`ROLE_MAP`); may ask the directory, so only procedures that need roles call it. */
      readonly grants: () => Promise<Grants>;
    }
  | { readonly ok: false; readonly reason: AuthFailureReason };

/**
 * Resolves a session cookie to a user: looks the session up, refreshes its tokens
 * if they are about to expire (S8), then verifies the IdP-signed access token
 * against the IdP's JWKS, or at its introspection endpoint (S10). Identity and groups
 * come from the verified token (or, when it carries none, from the directory, on first
 * use), display data from the ID token kept in the session.
 *
 * @throws {IdpUnavailableError} when the IdP is needed and cannot be reached.
 */
export async function authenticate(deps: AuthDeps, cookieValue: string | undefined): Promise<AuthResult> {
  return verifySession(deps, await deps.sessions.resolve(cookieValue));
}

/**
 * The same checks for a session established earlier, by id: what a live stream asks when
 * its session's deadline or its access token's expiry comes (S26). Tokens are refreshed as
 * for a call, but the idle timer is not: a stream that is open is no use of the session.
 *
 * @throws {IdpUnavailableError} when the IdP is needed and cannot be reached.
 * @throws {SessionStoreUnavailableError} when the store cannot be reached.
 */
export async function reauthenticate(deps: AuthDeps, sessionId: string): Promise<AuthResult> {
  return verifySession(deps, await deps.sessions.check(sessionId));
}

/** What {@link authenticate} needs: the session manager, the IdP, the refresher, and where roles come from. */
export interface AuthDeps {
  readonly sessions: SessionManager;
  readonly oidc: OidcService;
  readonly refresher: TokenRefresher;
  readonly logger: Logger;
  readonly authz: AuthzSettings;
  /** Told of a session's roles once a call resolved them (the audit trail compares them with the user's previous session's). */
  readonly hooks?: Pick<BffHooks, 'onRoles'>;
}

async function verifySession(deps: AuthDeps, lookup: SessionLookup): Promise<AuthResult> {
  if (!lookup.ok) return lookup;
  const fresh = await deps.refresher.ensureFresh(lookup.session);
  if (!fresh.ok) return fresh;
  const { session } = fresh;
  const idp = await deps.oidc.get();
  const verified = await idp.tokens.verifyAccessToken(session.accessToken);
  if (!verified.ok) {
    deps.logger.warn('auth.denied', { reason: verified.reason, detail: verified.detail, sub: session.sub });
    return { ok: false, reason: verified.reason };
  }
  if (verified.claims.sub !== session.sub) {
    deps.logger.warn('auth.denied', { reason: 'invalid_token', detail: 'sub_mismatch', sub: session.sub });
    return { ok: false, reason: 'invalid_token' };
  }
  const grants = lazyGrants(verified.claims, deps.authz, { idToken: () => idTokenClaims(session.idToken), userinfoGroups: session.userinfoGroups });
  const onRoles = deps.hooks?.onRoles;
  return {
    ok: true,
    session,
    user: { sub: session.sub, name: session.name, email: session.email },
    grants: onRoles
      ? async () => {
          const found = await grants();
          onRoles({ sub: session.sub, sessionId: deps.sessions.publicIdOf(session.id), roles: found.roles });
          return found;
        }
      : grants,
  };
}

/** The claims of the ID token kept in the session: it was verified when the IdP issued it, and the session store is authenticated (S19). */
function idTokenClaims(idToken: string): Readonly<Record<string, unknown>> | undefined {
  try {
    return decodeJwt(idToken);
  } catch {
    return undefined;
  }
}
