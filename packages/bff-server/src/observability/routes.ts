import type { AnyTRPCRouter } from '@trpc/server';
import { API_PATHS } from '@oidc-bff/protocol';
import { pathOf } from '../http/request-log.js';

/** Where Prometheus scrapes, on the metrics listener only: the public port answers 404 for it. */
export const METRICS_PATH = '/metrics';

/**
 * The `route` label of a request: an endpoint's path (`/api/login`), the procedure of a tRPC
 * request for one procedure the router has (`chat.send`), `/api/trpc` for any other tRPC
 * request (a batch, an unknown name), `/api/remote` for the remote-API proxy (whatever the API
 * and path), `web` for the web app, `unmatched` for the rest. Only
 * names the BFF itself defines, so the label stays bounded whatever a client sends.
 */
export function routeOf(router: AnyTRPCRouter, options: { readonly web: boolean }): (url: string | undefined) => string {
  const procedures = new Set(Object.keys(router._def.procedures as Record<string, unknown>));
  const endpoints = new Set<string>(Object.values(API_PATHS));
  const trpc = `${API_PATHS.trpc}/`;
  const remote = `${API_PATHS.remote}/`;
  return (url) => {
    const path = pathOf(url);
    if (path.startsWith(trpc)) {
      const name = path.slice(trpc.length);
      return procedures.has(name) ? name : API_PATHS.trpc;
    }
    if (endpoints.has(path)) return path;
    if (path.startsWith(remote)) return API_PATHS.remote;
    if (options.web && !path.startsWith('/api/') && path !== '/api' && path !== METRICS_PATH) return 'web';
    return 'unmatched';
  };
}
