import express, { type ErrorRequestHandler } from 'express';
import cookieParser from 'cookie-parser';
import cors from 'cors';
import helmet from 'helmet';
import { rateLimit } from 'express-rate-limit';
import { createExpressMiddleware } from '@trpc/server/adapters/express';
import type { Config } from './config.js';
import { createAuthRoutes } from './auth/routes.js';
import { createBackchannelLogoutRoute } from './auth/backchannel.js';
import type { TokenRefresher } from './auth/refresh.js';
import { csrfGuard, CSRF_HEADER } from './trpc/csrf.js';
import type { OidcService } from './auth/oidc.js';
import type { SessionManager } from './auth/session.js';
import { appRouter } from './trpc/router.js';
import { createContextFactory } from './trpc/context.js';
import type { ChatStore } from './chat/chat-store.js';
import type { Metrics } from './analytics/metrics.js';
import { createRequestLogger, type Logger } from './log.js';
import { sendProblem } from './problem.js';

export interface AppDeps {
  readonly config: Config;
  readonly oidc: OidcService;
  readonly sessions: SessionManager;
  readonly refresher: TokenRefresher;
  readonly chat: ChatStore;
  readonly metrics: Metrics;
  readonly logger: Logger;
}

/** Headers the front may send on credentialed calls. */
const ALLOWED_HEADERS = ['content-type', CSRF_HEADER, 'trpc-accept', 'x-trpc-source', 'last-event-id'];

/**
 * The tRPC adapter sets its own `Vary` header, replacing ours; caches must still
 * key responses on `Origin` (S11), so values it sets are merged instead.
 */
function keepVaryOrigin(res: express.Response): void {
  const setHeader = res.setHeader.bind(res);
  res.setHeader = (name: string, value: number | string | readonly string[]) => {
    if (name.toLowerCase() !== 'vary') return setHeader(name, value);
    const values = new Set(
      [res.getHeader('vary'), value].flat().flatMap((v) => (v === undefined ? [] : String(v).split(','))).map((v) => v.trim()).filter(Boolean),
    );
    return setHeader('vary', [...values].join(', '));
  };
}

/** Builds the API. Never listens: `main.ts` does. */
export function createApp(deps: AppDeps): express.Express {
  const { config, logger } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.use(createRequestLogger(logger));
  app.use(
    helmet({
      strictTransportSecurity: config.cookie.secure ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    }),
  );

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

  const allowedOrigins = new Set(config.frontOrigins);
  app.use((_req, res, next) => {
    res.vary('Origin');
    next();
  });
  // Exact allow-list with credentials; any other origin gets no CORS header at all (S11).
  app.use(
    cors((req, callback) => {
      const origin = req.headers.origin;
      if (!origin || !allowedOrigins.has(origin)) return callback(null, { origin: false });
      callback(null, { origin, credentials: true, methods: ['GET', 'POST'], allowedHeaders: ALLOWED_HEADERS, maxAge: 600 });
    }),
  );
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

  app.use(
    '/api/trpc',
    (_req, res, next) => {
      res.set('cache-control', 'no-store');
      keepVaryOrigin(res);
      next();
    },
    csrfGuard(allowedOrigins, logger),
    createExpressMiddleware({
      router: appRouter,
      maxBodySize: 64 * 1024,
      createContext: createContextFactory({ ...deps, backUrl: config.backUrl }),
      onError: ({ error, path }) => {
        if (error.code === 'INTERNAL_SERVER_ERROR' || error.code === 'SERVICE_UNAVAILABLE') {
          const cause = error.cause;
          logger.error('trpc.error', { path, trpcCode: error.code, cause: cause instanceof Error ? cause.name : undefined });
        } else if (error.code === 'UNAUTHORIZED' || error.code === 'FORBIDDEN') {
          logger.info('auth.denied', { path, trpcCode: error.code, reason: (error.cause as { reason?: unknown } | undefined)?.reason });
        }
      },
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
