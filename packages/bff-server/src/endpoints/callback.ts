import type { Request, Response } from 'express';
import type { LoginErrorCode } from '@oidc-bff/protocol';
import { describeError, outcomeOf } from '../errors.js';
import { AuthorizationResponseError, exchangeCode, ResponseBodyError } from '../oidc/flows.js';
import { setCookie } from '../session/cookie-size.js';
import type { EndpointDeps } from './deps.js';
import { deviceOf } from '../session/device.js';
import { requestCookies } from './request-cookies.js';
import { signInIdentity } from '../oidc/userinfo.js';
import { AudienceWatch } from '../oidc/audience.js';
import { requestOrigin } from '../observability/request-origin.js';
import { checkStepUpResult } from '../authz/step-up.js';
import type { SessionData } from '../session/store.js';

/** What an IdP answers a silent sign-in (`prompt=none`) that would need the user (OIDC Core §3.1.2.6). */
const INTERACTION_NEEDED = new Set(['login_required', 'interaction_required', 'consent_required', 'account_selection_required']);

/** Errors an IdP may put in `error=` that mean "the user or the IdP said no". */
const DENIALS = new Set(['access_denied', 'login_required', 'consent_required', 'interaction_required', 'account_selection_required']);

/**
 * `GET /api/callback`: the IdP's redirect back (S1, S2). Checks the transaction for
 * `state`, exchanges the code (PKCE, nonce), verifies the ID and access tokens, then
 * creates the session. Every failure lands on the front with `?auth_error=<code>`;
 * the IdP's own text is logged as a code, never forwarded.
 *
 * A step-up login (S29) must bring back an ID token whose `acr` and `auth_time` meet what
 * `/api/login` asked for, else `step_up_failed` and the session stays as it was. When they
 * do and the browser's session is the same user's, that session is upgraded: a new session
 * (new id and cookie: a step-up is a privilege change, and a handle that existed before it,
 * planted or leaked, must not gain the stronger sign-in) carries its device over, and the old
 * one ends. The app's data is the user's, not the session's, and stays; downstream tokens are
 * obtained again, so that they too come from the stronger sign-in.
 */
export function callbackEndpoint(deps: EndpointDeps) {
  const { config, oidc, sessions, transactions, hooks, logger } = deps;
  const audiences = new AudienceWatch(config.oidc.audience, logger);
  /** The browser's current session, if any: an outage or a bad cookie is simply none (the sign-in goes on as a new session). */
  const sessionOf = async (req: Request): Promise<SessionData | undefined> => {
    const found = await sessions.resolve(requestCookies(req).get(sessions.cookieName)).catch(() => undefined);
    return found?.ok ? found.session : undefined;
  };
  return async (req: Request, res: Response): Promise<void> => {
    const home = `${config.frontOrigins[0]}/`;
    const fail = (code: LoginErrorCode, returnTo = home, detail?: string) => {
      logger.warn('auth.login_failed', { reason: code, ...(detail ? { detail } : {}) });
      hooks.onLogin?.({ outcome: code, request: requestOrigin(req, res, req.ip) });
      const landing = new URL('/', new URL(returnTo).origin);
      landing.searchParams.set('auth_error', code);
      res.redirect(302, landing.href);
    };

    const state = req.query['state'];
    if (state === undefined || state === '') return fail('missing_state');
    // Any state but one this BFF made (a repeated parameter, one that cannot be part of a cookie name) has no transaction.
    const transaction = typeof state === 'string' ? await transactions.take(res, requestCookies(req), state) : undefined;
    if (!transaction) return fail('state_mismatch');

    const idpError = req.query['error'];
    if (typeof idpError === 'string' && transaction.silent && INTERACTION_NEEDED.has(idpError)) {
      // Not a failure of the user's: back to the page they were on, where the app signs in interactively.
      hooks.onLogin?.({ outcome: 'login_required', request: requestOrigin(req, res, req.ip) });
      logger.info('auth.silent_login_required', { detail: `idp_error:${idpError}` });
      const back = new URL(transaction.returnTo);
      back.searchParams.set('auth_error', 'login_required');
      res.redirect(302, back.href);
      return;
    }
    if (typeof idpError === 'string') {
      if (transaction.stepUp?.acr !== undefined)
        hooks.onStepUp?.({
          outcome: 'refused',
          acrRequested: [transaction.stepUp.acr],
          acrObtained: undefined,
          sub: undefined,
          sessionId: undefined,
          request: requestOrigin(req, res, req.ip),
        });
      return fail(DENIALS.has(idpError) ? 'access_denied' : 'idp_error', transaction.returnTo, `idp_error:${idpError.slice(0, 64)}`);
    }

    let idp;
    try {
      idp = await oidc.get();
    } catch (error) {
      return fail(outcomeOf(error)?.login ?? 'idp_unavailable', transaction.returnTo, describeError(error));
    }

    let tokens;
    try {
      tokens = await exchangeCode(idp, new URL(req.originalUrl, config.oidc.redirectUri), transaction);
    } catch (error) {
      return fail(classifyGrantError(error), transaction.returnTo, describeError(error));
    }

    // openid-client checks the ID token's claims; its signature is checked here too (S2).
    const idToken = tokens.id_token;
    if (!idToken) return fail('id_token_invalid', transaction.returnTo, 'no_id_token');
    let idClaims;
    try {
      idClaims = await idp.tokens.verifyIdToken(idToken);
    } catch (error) {
      return fail('id_token_invalid', transaction.returnTo, describeError(error));
    }

    let verified;
    try {
      verified = await idp.tokens.verifyAccessToken(tokens.access_token);
    } catch (error) {
      // The IdP's keys or its introspection endpoint could not be reached: not the token's fault.
      const outcome = outcomeOf(error);
      if (outcome) return fail(outcome.login, transaction.returnTo, describeError(error));
      verified = undefined;
    }
    if (!verified?.ok || verified.claims.sub !== idClaims.sub) {
      // Usually OIDC_AUDIENCE does not match what the IdP puts in `aud`, or the IdP issues opaque access tokens.
      if (verified && !verified.ok) audiences.observe(tokens.access_token);
      return fail('access_token_invalid', transaction.returnTo, verified && !verified.ok ? verified.detail : 'unverifiable');
    }

    // Strict IdPs release profile claims only at userinfo (OIDC Core §5.4); its sub must be the ID token's (S30).
    const signedIn = await signInIdentity(
      idp,
      { mode: config.oidc.userinfo, scope: config.oidc.scope, authz: config.authz },
      { sub: verified.claims.sub, accessToken: tokens.access_token, idClaims, accessClaims: verified.claims },
      (detail) => logger.warn('auth.userinfo_failed', { detail, sub: verified.claims.sub }),
    );
    if (!signedIn.ok) return fail(signedIn.code, transaction.returnTo, signedIn.detail);

    const acr = typeof idClaims['acr'] === 'string' ? idClaims['acr'] : undefined;
    const authTime = typeof idClaims['auth_time'] === 'number' ? idClaims['auth_time'] : undefined;
    const asked = transaction.stepUp;
    let upgraded: SessionData | undefined;
    if (asked) {
      const verdict = checkStepUpResult(asked, { acr, authTime }, config.authz.acrOrder, Date.now());
      const current = await sessionOf(req);
      upgraded = current?.sub === verified.claims.sub ? current : undefined;
      if (asked.acr !== undefined)
        hooks.onStepUp?.({
          outcome: verdict.ok ? 'succeeded' : 'refused',
          acrRequested: [asked.acr],
          acrObtained: acr,
          sub: verified.claims.sub,
          sessionId: upgraded ? sessions.publicIdOf(upgraded.id) : undefined,
          request: requestOrigin(req, res, req.ip),
        });
      // An IdP that ignored acr_values or max_age must not pass (S29): the session stays as it was.
      if (!verdict.ok) return fail('step_up_failed', transaction.returnTo, verdict.reason);
    }

    let created;
    try {
      created = await sessions.create({
        sub: verified.claims.sub,
        name: signedIn.identity.name,
        email: signedIn.identity.email,
        ...(signedIn.identity.userinfoGroups ? { userinfoGroups: signedIn.identity.userinfoGroups } : {}),
        idpSid: typeof idClaims['sid'] === 'string' ? idClaims['sid'] : undefined,
        accessToken: tokens.access_token,
        accessTokenExpiresAt: verified.claims.exp * 1000,
        tokensObtainedAt: Date.now(),
        idToken,
        refreshToken: tokens.refresh_token,
        device: upgraded?.device ?? deviceOf(req.headers['user-agent']),
        ...(acr !== undefined ? { acr } : {}),
        ...(authTime !== undefined ? { authTime } : {}),
      });
    } catch (error) {
      // No half-made session: the browser gets no cookie and the front says why (S20).
      const outcome = outcomeOf(error);
      if (outcome) return fail(outcome.login, transaction.returnTo, describeError(error));
      throw error;
    }
    setCookie(res, sessions.cookieName, created.cookieValue, sessions.cookieOptions());
    if (upgraded) {
      // The new session is in place; should ending the old one fail, it only lives on until it expires, unreachable by this browser.
      await sessions.destroy(upgraded.id).catch((error: unknown) => logger.warn('auth.step_up_old_session', { error: describeError(error) }));
      logger.info('auth.step_up', { sub: created.session.sub, acr: acr ?? null });
    }
    hooks.onLogin?.({
      outcome: 'success',
      sub: created.session.sub,
      sessionId: sessions.publicIdOf(created.session.id),
      request: requestOrigin(req, res, req.ip),
    });
    logger.info('auth.login', { sub: created.session.sub });
    res.redirect(302, transaction.returnTo);
  };
}

/** A refused code is `invalid_grant` (RFC 6749 §5.2); some providers answer `403 invalid_code` instead. */
const CODE_REFUSALS = new Set(['invalid_grant', 'invalid_code']);

export function classifyGrantError(error: unknown): LoginErrorCode {
  if (error instanceof ResponseBodyError) return CODE_REFUSALS.has(error.error) ? 'code_rejected' : 'idp_error';
  if (error instanceof AuthorizationResponseError) return DENIALS.has(error.error) ? 'access_denied' : 'idp_error';
  const code = (error as { code?: unknown }).code;
  // OAUTH_INVALID_RESPONSE is also a token response of the wrong shape (its cause then holds the body): the IdP's fault, not the ID token's.
  if (code === 'OAUTH_INVALID_RESPONSE' && typeof (error as { cause?: { body?: unknown } }).cause?.body === 'object') return 'idp_error';
  if (code === 'OAUTH_JWT_CLAIM_COMPARISON_FAILED' || code === 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED' || code === 'OAUTH_INVALID_RESPONSE') {
    return 'id_token_invalid';
  }
  const name = error instanceof Error ? error.name : '';
  return name === 'TypeError' || name === 'AbortError' || name === 'TimeoutError' ? 'idp_unavailable' : 'idp_error';
}
