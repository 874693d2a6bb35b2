import type { RequestListener } from 'node:http';
import { API_PATHS } from '@oidc-bff/protocol';
import type { Logger } from '../log.js';
import { logRequest } from './request-log.js';
import { securityHeaders } from './security-headers.js';

export interface AppParts {
  readonly logger: Logger;
  /** The API is served over https (HSTS). */
  readonly https: boolean;
  /** `/api/trpc`: the hot path. */
  readonly trpc: RequestListener;
  /** `/api/remote/...`: the remote-API proxy, when downstream APIs are configured. */
  readonly remote?: RequestListener;
  /** Every other `/api/...` endpoint. */
  readonly endpoints: RequestListener;
  /** Everything outside `/api/` (the built web app), when this process serves it. */
  readonly web?: RequestListener;
}

/**
 * The API as one Node request handler: a request id and log line, the security headers
 * (S17), then by path to the tRPC endpoint, the plain endpoints or the web app.
 * Never listens: `main.ts` does.
 */
export function createApp(parts: AppParts): RequestListener {
  const headers = securityHeaders(parts.https);
  const trpc = API_PATHS.trpc;
  return (req, res) => {
    logRequest(parts.logger, req, res);
    const url = req.url ?? '/';
    if (parts.web && !url.startsWith('/api/') && url !== '/api') {
      parts.web(req, res);
      return;
    }
    for (const [name, value] of headers) res.setHeader(name, value);
    res.setHeader('vary', 'Origin');
    if (url.startsWith(`${trpc}/`) || url === trpc || url.startsWith(`${trpc}?`)) parts.trpc(req, res);
    else if (parts.remote && url.startsWith(`${API_PATHS.remote}/`)) parts.remote(req, res);
    else parts.endpoints(req, res);
  };
}
