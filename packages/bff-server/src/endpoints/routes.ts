import express, { type ErrorRequestHandler } from 'express';
import { rateLimit, type Store } from 'express-rate-limit';
import { API_PATHS } from '@oidc-bff/protocol';
import { sendProblem } from '../http/problem.js';
import { describeError, outcomeOf } from '../errors.js';
import { backchannelLogoutEndpoint } from './backchannel-logout.js';
import { callbackEndpoint } from './callback.js';
import { frontchannelLogoutEndpoint } from './frontchannel-logout.js';
import type { EndpointDeps } from './deps.js';
import { healthEndpoint } from './health.js';
import { jwksEndpoint } from './jwks.js';
import { loginEndpoint } from './login.js';
import { logoutEndpoint } from './logout.js';
import { LogoutState, logoutReturnEndpoint } from './logout-return.js';

/**
 * The plain endpoints under `/api` (everything but tRPC), one file each: login,
 * callback, logout, back- and front-channel logout, health, and the client's JWKS (fapi2).
 * Express is kept for these redirect-based routes; the tRPC hot path does not go
 * through it.
 */
export function createEndpoints(deps: EndpointDeps & { readonly rateLimitStore?: Store }): express.Express {
  const { config, logger } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);

  if (config.backUrl.protocol === 'https:' && config.trustProxy === false) {
    let warned = false;
    app.use((req, _res, next) => {
      if (!warned && !req.secure && req.headers['x-forwarded-proto'] === 'https') {
        warned = true;
        logger.warn('config.trust_proxy_missing', {
          message:
            "Requests arrive through a TLS-terminating proxy but TRUST_PROXY is not set: client addresses and the scheme are the proxy's. Set TRUST_PROXY (e.g. 1 or loopback).",
        });
      }
      next();
    });
  }

  app.use(express.urlencoded({ extended: false, limit: '4kb' }));

  app.get(API_PATHS.health, healthEndpoint(deps));
  // Only the FAPI 2.0 profile has client keys to publish; otherwise the path is a 404.
  if (config.oidc.fapi2) app.get(API_PATHS.jwks, jwksEndpoint(config.oidc.fapi2));

  // Slows down login storms and callback probing per client address (S17); counted
  // across instances when the store is shared.
  const authLimiter = rateLimit({
    windowMs: 60_000,
    limit: config.rateLimitPerMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    // A counter store that cannot be reached lets sign-ins through (the callback then says
    // whether a session can be stored): the limiter must not turn an outage into errors.
    ...(deps.rateLimitStore ? { store: deps.rateLimitStore, passOnStoreError: true } : {}),
    handler: (req, res) => sendProblem(req, res, 429, 'rate_limited', 'Too many sign-in attempts. Wait a minute and try again.'),
  });
  app.use([API_PATHS.login, API_PATHS.callback], authLimiter);
  // Nothing an auth route answers may be cached (S17).
  app.use([API_PATHS.login, API_PATHS.callback, API_PATHS.logout, API_PATHS.logoutReturn, API_PATHS.backchannelLogout], (_req, res, next) => {
    res.set('cache-control', 'no-store');
    next();
  });

  app.get(API_PATHS.login, loginEndpoint(deps));
  app.get(API_PATHS.callback, callbackEndpoint(deps));
  const logoutState = new LogoutState(deps.sessions.cookieName, config.cookie.secure);
  const logout = logoutEndpoint({ ...deps, logoutState });
  app.get(API_PATHS.logout, logout);
  app.post(API_PATHS.logout, logout);
  app.get(API_PATHS.logoutReturn, logoutReturnEndpoint({ ...deps, logoutState }));
  app.post(API_PATHS.backchannelLogout, backchannelLogoutEndpoint(deps));
  app.get(API_PATHS.frontchannelLogout, frontchannelLogoutEndpoint(deps));

  app.use((req, res) => sendProblem(req, res, 404, 'not_found', 'Not found.'));
  const onError: ErrorRequestHandler = (error: unknown, req, res, _next) => {
    // A dependency down is answered as ERROR_OUTCOMES says: a 503 with its reason, never a sign-out (S20).
    const outcome = outcomeOf(error);
    if (outcome) {
      logger.error('http.dependency_unavailable', { method: req.method, path: req.path, error: describeError(error) });
      sendProblem(req, res, outcome.status, outcome.reason ?? 'service_unavailable', 'The service is temporarily unavailable. Try again in a moment.');
      return;
    }
    const status = typeof (error as { status?: unknown }).status === 'number' ? (error as { status: number }).status : 500;
    if (status >= 500) {
      logger.error('http.error', { method: req.method, path: req.path, error: describeError(error) });
      sendProblem(req, res, 500, 'internal_error', 'Internal server error.');
      return;
    }
    sendProblem(req, res, status, 'bad_request', 'The request could not be read.');
  };
  app.use(onError);
  return app;
}
