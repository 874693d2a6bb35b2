import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '../log.js';
import { pathOf } from '../http/request-log.js';
import { METRICS_PATH } from './routes.js';

/** `GET /metrics` in Prometheus's text format; every other request is a 404. */
export function metricsHandler(registry: Registry, logger: Logger): RequestListener {
  return (req, res) => {
    if (pathOf(req.url) !== METRICS_PATH || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found.\n');
      return;
    }
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (error: unknown) => {
        logger.error('metrics.scrape_failed', { error: error instanceof Error ? error.name : 'unknown' });
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('The metrics could not be collected.\n');
      },
    );
  };
}

/** The metrics listener: its own port, never the public one (S31). */
export interface MetricsListener {
  /** The port it listens on, once listening. */
  readonly port: number | undefined;
  close(): Promise<void>;
}

/**
 * Listens on `port` for Prometheus. A port already taken is logged, not thrown: the API
 * keeps serving and the operator sees the target down in Prometheus.
 */
export function listenForMetrics(handler: RequestListener, port: number, logger: Logger): MetricsListener {
  const server: Server = createServer(handler);
  let listening: number | undefined;
  server.on('error', (error: NodeJS.ErrnoException) => logger.error('metrics.listen_failed', { port, code: error.code }));
  server.listen(port, () => {
    listening = (server.address() as AddressInfo).port;
    logger.info('metrics.listening', { port: listening, path: METRICS_PATH });
  });
  // Scrapes keep connections alive; they must not hold a shutdown.
  server.unref();
  return {
    get port() {
      return listening;
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
