import type { Request, Response } from 'express';
import { startLogin } from '../oidc/flows.js';
import { safeReturnTo } from './return-to.js';
import { requestCookies } from './request-cookies.js';
import { sendProblem } from '../http/problem.js';
import { parseStepUpRequest, StepUpRequestError, weakestAcr, type StepUpRequest } from '../authz/step-up.js';
import type { EndpointDeps } from './deps.js';

/**
 * `GET /api/login?returnTo=`: sends the browser to the IdP with fresh state, nonce and
 * PKCE (S1), remembered in a per-login encrypted transaction cookie; the oldest pending
 * ones beyond a small bound are cleared (S27). `returnTo` is kept only if it is on an
 * allowed front (S3). A step-up adds `acr_values` (values of `OIDC_ACR_ORDER` only) and
 * `max_age` (seconds), passed to the IdP and checked against its ID token at the callback
 * (S29); any other value is a 400 `invalid_step_up`. `prompt=none` asks for a silent sign-in
 * (the IdP shows no page; see the callback's `login_required`); any other `prompt` is a 400.
 */
export function loginEndpoint(deps: EndpointDeps) {
  const { config, oidc, transactions } = deps;
  return async (req: Request, res: Response): Promise<void> => {
    const returnTo = safeReturnTo(req.query['returnTo'], config.frontOrigins);
    const order = config.authz.acrOrder;
    let stepUp: StepUpRequest;
    try {
      stepUp = parseStepUpRequest({ acr_values: req.query['acr_values'], max_age: req.query['max_age'] }, order);
    } catch (error) {
      if (!(error instanceof StepUpRequestError)) throw error;
      sendProblem(req, res, 400, 'invalid_step_up', error.message);
      return;
    }
    const prompt = req.query['prompt'];
    if (prompt !== undefined && prompt !== 'none') {
      sendProblem(req, res, 400, 'invalid_prompt', 'prompt may only be none (a silent sign-in).');
      return;
    }
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
      ...(stepUp.acrValues || stepUp.maxAge !== undefined ? { stepUp: { ...stepUp, weakestAcr: weakestAcr(stepUp.acrValues ?? [], order) } } : {}),
      ...(prompt === 'none' ? { silent: true } : {}),
    });
    await transactions.start(res, requestCookies(req), transaction);
    res.redirect(302, authorizationUrl.href);
  };
}
