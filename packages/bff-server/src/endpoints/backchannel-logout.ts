import type { Request, Response } from 'express';
import { TokenRejectedError } from '../oidc/token-verifier.js';
import type { EndpointDeps } from './deps.js';
import { requestOrigin } from '../observability/request-origin.js';

/**
 * `POST /api/backchannel-logout`, OIDC Back-Channel Logout (S5): the IdP posts a
 * signed `logout_token`; once verified (signature, `iss`, `aud`, `iat`, `exp`, `events`,
 * no `nonce`) and its `jti` seen for the first time by any instance, every session of its
 * `sid` (or else its `sub`) ends, on every instance.
 *
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html#Validation
 */
export function backchannelLogoutEndpoint(deps: EndpointDeps) {
  const { oidc, sessions, replay, logger } = deps;
  return async (req: Request, res: Response): Promise<void> => {
    const refuse = (detail: string) => {
      logger.warn('auth.backchannel_logout_refused', { detail });
      res.status(400).json({ error: 'invalid_request', error_description: 'The logout token is not valid.' });
    };
    const token = (req.body as Record<string, unknown> | undefined)?.['logout_token'];
    if (typeof token !== 'string' || token.length > 8192) return refuse('missing_logout_token');

    const idp = await oidc.get();
    let claims;
    try {
      claims = await idp.tokens.verifyLogoutToken(token);
    } catch (error) {
      if (error instanceof TokenRejectedError) return refuse(error.detail);
      throw error;
    }
    // Remembered for as long as the token would be accepted again, on every instance.
    if (!(await replay.firstUse(claims.jti, claims.acceptedUntil))) return refuse('jti_replayed');

    const ended = await sessions.destroyMatching(claims.sid ? { idpSid: claims.sid } : { sub: claims.sub ?? '' });
    logger.info('auth.backchannel_logout', { sub: claims.sub, sessions: ended });
    deps.hooks.onLogout?.({ kind: 'back_channel', sub: claims.sub, sessionId: undefined, sessions: ended, request: requestOrigin(req, res, req.ip) });
    res.status(200).end();
  };
}
