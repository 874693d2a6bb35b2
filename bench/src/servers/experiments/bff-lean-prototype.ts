import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { appRouter } from '../../../../server/src/trpc/router.js';
import { createInnerContext, type Services } from '../../../../server/src/trpc/context.js';
import { authenticate } from '../../../../server/src/auth/authenticate.js';
import { TokenRefresher } from '../../../../server/src/auth/refresh.js';
import { ChatStore } from '../../../../server/src/chat/chat-store.js';
import { Metrics } from '../../../../server/src/analytics/metrics.js';
import { createLogger } from '../../../../server/src/log.js';
import { createDiscoveredApi, type BffServerOptions } from '../bff-api.js';
import { serve, serverOptions } from '../serve.js';
import { sendResponse, toRequest } from './fetch-bridge.js';

/**
 * Throwaway prototype (reaches into server internals; not for the targets): what
 * our guarded queries cost on a lean hot path. GET /api/trpc/* is served by our
 * real router, context and `authenticate` through tRPC's fetch adapter behind
 * node:http, with the same CORS, CSRF and helmet headers (computed once) and no
 * per-request logger; everything else goes to the real app.
 */
const options = serverOptions<BffServerOptions>();
const api = await createDiscoveredApi(options);
const logger = createLogger({ level: 'silent', destination: { write: () => undefined } });
const services: Services = {
  sessions: api.sessions,
  oidc: api.oidc,
  refresher: new TokenRefresher({ oidc: api.oidc, sessions: api.sessions, logger }),
  chat: new ChatStore(),
  metrics: new Metrics(),
  logger,
  backUrl: api.config.backUrl,
};
const allowedOrigins = new Set(api.config.frontOrigins);

const securityHeaders: Record<string, string> = {};
helmet({ strictTransportSecurity: false })(
  {} as IncomingMessage,
  { setHeader: (name: string, value: string) => void (securityHeaders[name.toLowerCase()] = String(value)), removeHeader: () => undefined } as unknown as ServerResponse,
  () => undefined,
);

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

function refuse(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end('{"error":"refused"}');
}

async function handleQuery(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const origin = req.headers.origin;
  if ((origin !== undefined && !allowedOrigins.has(origin)) || req.headers['x-csrf'] !== '1') return refuse(res, 403);
  const cookie = cookieValue(req.headers.cookie, api.sessions.cookieName);
  const response = await fetchRequestHandler({
    endpoint: '/api/trpc',
    req: toRequest(req),
    router: appRouter,
    createContext: () => createInnerContext(services, () => authenticate(services, cookie)),
  });
  await sendResponse(res, response, {
    ...securityHeaders,
    'cache-control': 'no-store',
    vary: 'Origin',
    ...(origin ? { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true' } : {}),
  });
}

await serve(
  (req, res) => {
    if (req.method !== 'GET' || !req.url?.startsWith('/api/trpc/')) return void api.app(req, res);
    handleQuery(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  },
  { port: options.port },
);
