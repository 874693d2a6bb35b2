import { Router, type Request, type Response } from 'express';
import * as client from 'openid-client';
import { jwtVerify } from 'jose';
import type { LoginErrorCode } from '@bff/shared';
import { describeError, IdpUnavailableError, type OidcService } from './oidc.js';
import { safeReturnTo } from './return-to.js';
import type { SessionManager } from './session.js';
import { TransactionCookies } from './transaction.js';
import { setCookie } from './cookie-size.js';
import type { Metrics } from '../analytics/metrics.js';
import type { Logger } from '../log.js';
import { sendProblem } from '../problem.js';

export interface AuthRoutesOptions {
  readonly oidc: OidcService;
  readonly sessions: SessionManager;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly clientId: string;
  readonly scope: string;
  readonly algorithms: readonly string[];
  readonly redirectUri: URL;
  readonly postLogoutRedirectUri: URL;
  readonly frontOrigins: readonly string[];
  readonly secret: string;
  readonly secureCookies: boolean;
}

/** Errors an IdP may put in `error=` that mean "the user or the IdP said no". */
const DENIALS = new Set(['access_denied', 'login_required', 'consent_required', 'interaction_required', 'account_selection_required']);

/**
 * The redirect-based OIDC routes: `GET /login`, `GET /callback`, `GET|POST /logout`.
 * Mounted under `/api`.
 */
export function createAuthRoutes(options: AuthRoutesOptions): Router {
  const { oidc, sessions, logger } = options;
  const transactions = new TransactionCookies({
    secret: options.secret,
    cookieName: sessions.cookieName,
    secure: options.secureCookies,
    callbackPath: options.redirectUri.pathname,
  });
  const routes = Router();

  routes.use((_req, res, next) => {
    res.set('cache-control', 'no-store');
    next();
  });

  routes.get('/login', async (req, res) => {
    const returnTo = safeReturnTo(req.query['returnTo'], options.frontOrigins);
    let idp;
    try {
      idp = await oidc.get();
    } catch {
      sendProblem(req, res, 503, 'idp_unavailable', 'The identity provider cannot be reached. Try again in a moment.');
      return;
    }
    const state = client.randomState();
    const nonce = client.randomNonce();
    const codeVerifier = client.randomPKCECodeVerifier();
    const authorizationUrl = client.buildAuthorizationUrl(idp.configuration, {
      redirect_uri: options.redirectUri.href,
      scope: options.scope,
      state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    });
    setCookie(res, transactions.nameFor(state), await transactions.seal({ state, nonce, codeVerifier, returnTo }), transactions.setOptions);
    res.redirect(302, authorizationUrl.href);
  });

  routes.get('/callback', async (req, res) => {
    const home = `${options.frontOrigins[0]}/`;
    const fail = (code: LoginErrorCode, returnTo = home, detail?: string) => {
      logger.warn('auth.login_failed', { reason: code, ...(detail ? { detail } : {}) });
      const target = new URL(returnTo);
      const landing = new URL('/', target.origin);
      landing.searchParams.set('auth_error', code);
      res.redirect(302, landing.href);
    };

    const state = typeof req.query['state'] === 'string' ? req.query['state'] : undefined;
    if (!state) return fail('missing_state');
    const cookieName = transactions.nameFor(state);
    const cookies = req.cookies as Record<string, string | undefined>;
    const transaction = await transactions.open(cookies[cookieName], state);
    res.clearCookie(cookieName, transactions.clearOptions);
    if (!transaction) return fail('state_mismatch');

    const idpError = req.query['error'];
    if (typeof idpError === 'string') {
      return fail(DENIALS.has(idpError) ? 'access_denied' : 'idp_error', transaction.returnTo, `idp_error:${idpError.slice(0, 64)}`);
    }

    let idp;
    try {
      idp = await oidc.get();
    } catch {
      return fail('idp_unavailable', transaction.returnTo);
    }

    let tokens;
    try {
      tokens = await client.authorizationCodeGrant(
        idp.configuration,
        new URL(req.originalUrl, options.redirectUri),
        { pkceCodeVerifier: transaction.codeVerifier, expectedState: state, expectedNonce: transaction.nonce, idTokenExpected: true },
      );
    } catch (error) {
      return fail(classifyGrantError(error), transaction.returnTo, describeError(error));
    }

    // openid-client checks the ID token's claims; its signature is checked here too (S2).
    const idToken = tokens.id_token;
    let idClaims;
    try {
      if (!idToken) throw new Error('no id_token');
      ({ payload: idClaims } = await jwtVerify(idToken, idp.keys, {
        issuer: idp.configuration.serverMetadata().issuer,
        audience: options.clientId,
        algorithms: [...options.algorithms],
      }));
    } catch (error) {
      return fail('id_token_invalid', transaction.returnTo, describeError(error));
    }

    const verified = await idp.verifyAccessToken(tokens.access_token).catch(() => undefined);
    if (!verified?.ok || verified.claims.sub !== idClaims.sub) {
      // Usually OIDC_AUDIENCE does not match what the IdP puts in `aud`, or the IdP issues opaque access tokens.
      return fail('access_token_invalid', transaction.returnTo, verified && !verified.ok ? verified.detail : 'unverifiable');
    }

    const { cookieValue, session } = await sessions.create({
      sub: verified.claims.sub,
      name: typeof idClaims['name'] === 'string' ? idClaims['name'] : verified.claims.sub,
      email: typeof idClaims['email'] === 'string' ? idClaims['email'] : null,
      idpSid: typeof idClaims['sid'] === 'string' ? idClaims['sid'] : undefined,
      accessToken: tokens.access_token,
      accessTokenExpiresAt: verified.claims.exp * 1000,
      tokensObtainedAt: Date.now(),
      idToken,
      refreshToken: tokens.refresh_token,
    });
    setCookie(res, sessions.cookieName, cookieValue, sessions.cookieOptions());
    options.metrics.recordLogin();
    logger.info('auth.login', { sub: session.sub });
    res.redirect(302, transaction.returnTo);
  });

  const logout = async (req: Request, res: Response) => {
    const home = options.postLogoutRedirectUri.href;
    const cookies = req.cookies as Record<string, string | undefined>;
    const lookup = await sessions.resolve(cookies[sessions.cookieName]);
    if (!lookup.ok) {
      res.clearCookie(sessions.cookieName, sessions.clearCookieOptions());
      res.redirect(303, home);
      return;
    }
    const body = req.body as Record<string, unknown> | undefined;
    const sid = req.query['sid'] ?? body?.['sid'];
    if (sid !== lookup.session.logoutId) {
      // Another site cannot know the per-session sid, so it cannot sign the user out (S4).
      logger.warn('auth.logout_denied', { sub: lookup.session.sub });
      sendProblem(req, res, 403, 'logout_denied', 'This sign-out link is not valid for your session. Use the sign-out button of the application.');
      return;
    }
    await sessions.destroy(lookup.session.id);
    res.clearCookie(sessions.cookieName, sessions.clearCookieOptions());
    logger.info('auth.logout', { sub: lookup.session.sub });
    let target = home;
    try {
      const idp = await oidc.get();
      const { refreshToken } = lookup.session;
      if (refreshToken && idp.configuration.serverMetadata().revocation_endpoint) {
        await client.tokenRevocation(idp.configuration, refreshToken, { token_type_hint: 'refresh_token' }).catch((error: unknown) => {
          logger.warn('auth.revocation_failed', { sub: lookup.session.sub, error: describeError(error) });
        });
      }
      if (idp.configuration.serverMetadata().end_session_endpoint) {
        target = client.buildEndSessionUrl(idp.configuration, {
          id_token_hint: lookup.session.idToken,
          post_logout_redirect_uri: home,
        }).href;
      }
    } catch (error) {
      if (!(error instanceof IdpUnavailableError)) throw error;
    }
    res.redirect(303, target);
  };
  routes.get('/logout', logout);
  routes.post('/logout', logout);

  return routes;
}

function classifyGrantError(error: unknown): LoginErrorCode {
  if (error instanceof client.ResponseBodyError) return error.error === 'invalid_grant' ? 'code_rejected' : 'idp_error';
  if (error instanceof client.AuthorizationResponseError) return DENIALS.has(error.error) ? 'access_denied' : 'idp_error';
  const code = (error as { code?: unknown }).code;
  if (code === 'OAUTH_JWT_CLAIM_COMPARISON_FAILED' || code === 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED' || code === 'OAUTH_INVALID_RESPONSE') {
    return 'id_token_invalid';
  }
  const name = error instanceof Error ? error.name : '';
  return name === 'TypeError' || name === 'AbortError' || name === 'TimeoutError' ? 'idp_unavailable' : 'idp_error';
}
