import type { Request, Response } from 'express';
import { startLogin } from '../oidc/flows.js';
import { safeReturnTo } from './return-to.js';
import { requestCookies } from './request-cookies.js';
import { sendProblem } from '../http/problem.js';
import type { EndpointDeps } from './deps.js';

/**
 * `GET /api/login?returnTo=`: sends the browser to the IdP with fresh state, nonce and
 * PKCE (S1), remembered in a per-login encrypted transaction cookie; the oldest pending
 * ones beyond a small bound are cleared (S27). `returnTo` is kept only if it is on an
 * allowed front (S3).
 */
export function loginEndpoint(deps: EndpointDeps) {
  const { config, oidc, transactions } = deps;
  return async (req: Request, res: Response): Promise<void> => {
    const returnTo = safeReturnTo(req.query['returnTo'], config.frontOrigins);
    let idp;
    try {
      idp = await oidc.get();
    } catch {
      sendProblem(req, res, 503, 'idp_unavailable', 'The identity provider cannot be reached. Try again in a moment.');
      return;
    }
    const { transaction, authorizationUrl } = await startLogin(idp, {
      redirectUri: config.oidc.redirectUri,
      scope: config.oidc.scope,
      resources: config.oidc.resources,
      returnTo,
    });
    await transactions.start(res, requestCookies(req), transaction);
    res.redirect(302, authorizationUrl.href);
  };
}
