import type { RequestListener } from 'node:http';
import express, { type ErrorRequestHandler } from 'express';
import cookieParser from 'cookie-parser';
import { rateLimit } from 'express-rate-limit';
import type { Config } from './config.js';
import { createAuthRoutes } from './auth/routes.js';
import { createBackchannelLogoutRoute } from './auth/backchannel.js';
import type { TokenRefresher } from './auth/refresh.js';
import type { OidcService } from './auth/oidc.js';
import type { SessionManager } from './auth/session.js';
import { createTrpcHandler, TRPC_ENDPOINT } from './trpc/http-handler.js';
import type { ChatStore } from './chat/chat-store.js';
import type { Metrics } from './analytics/metrics.js';
import { logRequest, type Logger } from './log.js';
import { sendProblem } from './problem.js';
import { securityHeaders } from './security-headers.js';

export interface AppDeps {
  readonly config: Config;
  readonly oidc: OidcService;
  readonly sessions: SessionManager;
  readonly refresher: TokenRefresher;
  readonly chat: ChatStore;
  readonly metrics: Metrics;
  readonly logger: Logger;
}

/**
 * Builds the API as a Node request handler. Never listens: `main.ts` does.
 * `/api/trpc` goes straight to the tRPC handler (the hot path); the redirect-based
 * auth routes, back-channel logout and health are plain Express routes.
 */
export function createApp(deps: AppDeps): RequestListener {
  const { config, logger } = deps;
  const headers = securityHeaders(config.backUrl.protocol === 'https:');
  const trpc = createTrpcHandler({
    services: { ...deps, backUrl: config.backUrl },
    allowedOrigins: new Set(config.frontOrigins),
    logger,
    maxBodyBytes: 64 * 1024,
  });
  const routes = createRoutes(deps);
  return (req, res) => {
    logRequest(logger, req, res);
    for (const [name, value] of headers) res.setHeader(name, value);
    res.setHeader('vary', 'Origin');
    const url = req.url ?? '/';
    if (url.startsWith(`${TRPC_ENDPOINT}/`) || url === TRPC_ENDPOINT || url.startsWith(`${TRPC_ENDPOINT}?`)) trpc(req, res);
    else routes(req, res);
  };
}

function createRoutes(deps: AppDeps): express.Express {
  const { config, logger } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);

  if (config.backUrl.protocol === 'https:' && config.trustProxy === false) {
    let warned = false;
    app.use((req, _res, next) => {
      if (!warned && !req.secure && req.headers['x-forwarded-proto'] === 'https') {
        warned = true;
        logger.warn('config.trust_proxy_missing', { message: 'Requests arrive through a TLS-terminating proxy but TRUST_PROXY is not set: client addresses and the scheme are the proxy\'s. Set TRUST_PROXY (e.g. 1 or loopback).' });
      }
      next();
    });
  }

  app.use(cookieParser());
  app.use(express.urlencoded({ extended: false, limit: '4kb' }));

  app.get('/api/health', (_req, res) => {
    const idp = deps.oidc.status();
    res.set('cache-control', 'no-store');
    res.status(idp.ready ? 200 : 503).json({ status: idp.ready ? 'ready' : 'starting', idp: idp.ready ? 'discovered' : 'unreachable' });
  });

  // Slows down login storms and callback probing per client address (S17).
  const authLimiter = rateLimit({
    windowMs: 60_000,
    limit: config.rateLimitPerMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (req, res) => sendProblem(req, res, 429, 'rate_limited', 'Too many sign-in attempts. Wait a minute and try again.'),
  });
  app.use(['/api/login', '/api/callback'], authLimiter);

  app.use(
    '/api',
    createBackchannelLogoutRoute({
      oidc: deps.oidc,
      sessions: deps.sessions,
      clientId: config.oidc.clientId,
      algorithms: config.oidc.algorithms,
      logger,
    }),
  );

  app.use(
    '/api',
    createAuthRoutes({
      oidc: deps.oidc,
      sessions: deps.sessions,
      metrics: deps.metrics,
      logger,
      clientId: config.oidc.clientId,
      scope: config.oidc.scope,
      algorithms: config.oidc.algorithms,
      redirectUri: config.oidc.redirectUri,
      postLogoutRedirectUri: config.oidc.postLogoutRedirectUri,
      frontOrigins: config.frontOrigins,
      secret: config.session.secret,
      secureCookies: config.cookie.secure,
    }),
  );

  app.use((req, res) => sendProblem(req, res, 404, 'not_found', 'Not found.'));
  const onError: ErrorRequestHandler = (error: unknown, req, res, _next) => {
    const status = typeof (error as { status?: unknown }).status === 'number' ? (error as { status: number }).status : 500;
    if (status >= 500) {
      logger.error('http.error', { method: req.method, path: req.path, error: error instanceof Error ? error.name : 'unknown' });
      sendProblem(req, res, 500, 'internal_error', 'Internal server error.');
      return;
    }
    sendProblem(req, res, status, 'bad_request', 'The request could not be read.');
  };
  app.use(onError);
  return app;
}
