import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RequestListener } from 'node:http';
import express from 'express';
import compression from 'compression';

export interface WebAppOptions {
  /** The built Angular app (`client/dist/client/browser`). */
  readonly root: string;
  /** What `/config.json` tells the app: the API's URL (this same origin).  */
  readonly apiUrl: string;
}

/** Angular's hashed output names (`main-ABCD1234.js`): safe to cache for a year. */
const HASHED = /-[A-Z0-9]{8}\.(js|css|mjs)$/;

/**
 * Serves the built web app on the API's own origin (`npm run serve`): the
 * recommended same-origin topology without a reverse proxy. Hashed files are cached
 * for a year, `index.html` and `/config.json` never; responses are compressed; the
 * app gets a strict Content-Security-Policy: scripts only from this origin, no inline
 * script, styles from this origin plus Angular's runtime styles carrying the
 * per-response nonce (`ngCspNonce`).
 */
export function createWebApp(options: WebAppOptions): RequestListener {
  const indexHtml = readFileSync(join(options.root, 'index.html'), 'utf8');
  const configJson = JSON.stringify({ apiUrl: options.apiUrl });
  const app = express();
  app.disable('x-powered-by');
  app.use(compression());
  app.use((_req, res, next) => {
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    res.setHeader('x-frame-options', 'DENY');
    next();
  });
  app.get('/config.json', (_req, res) => {
    res.set('cache-control', 'no-cache').type('json').send(configJson);
  });
  app.use(
    express.static(options.root, {
      index: false,
      fallthrough: true,
      setHeaders: (res, path) => {
        res.setHeader('cache-control', HASHED.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }),
  );
  app.use((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.status(405).end();
      return;
    }
    // A path that looks like a file and was not found is a 404, not the app.
    if (/\.[a-z0-9]+$/i.test(req.path)) {
      res.status(404).type('text').send('Not found.');
      return;
    }
    const nonce = randomBytes(16).toString('base64');
    res.setHeader('content-security-policy', contentSecurityPolicy(nonce));
    res
      .set('cache-control', 'no-cache')
      .type('html')
      .send(indexHtml.replace('<app-root', `<app-root ngCspNonce="${nonce}"`));
  });
  return app;
}

/** What the Angular app needs and nothing more. */
export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
