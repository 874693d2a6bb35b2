import type { IncomingMessage, ServerResponse } from 'node:http';
import { request } from 'undici';
import { serve, serverOptions } from './serve.js';

/** Options of the bare reverse proxy: where it forwards. */
export interface BareProxyOptions {
  readonly upstream: string;
}

/**
 * The floor the remote-API proxy is measured against: a reverse proxy with no auth at all,
 * forwarding the request's path, `Accept` and `Authorization` to the reports API with undici
 * (the HTTP client ours uses) and streaming the answer back.
 */
const { upstream } = serverOptions<BareProxyOptions>();

async function forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const headers: Record<string, string> = {};
  if (req.headers.authorization) headers['authorization'] = req.headers.authorization;
  if (req.headers.accept) headers['accept'] = req.headers.accept;
  const { statusCode, headers: answered, body } = await request(new URL(req.url ?? '/', upstream), { method: 'GET', headers });
  const type = answered['content-type'];
  res.writeHead(statusCode, typeof type === 'string' ? { 'content-type': type } : {});
  body.pipe(res);
}

await serve((req, res) => {
  forward(req, res).catch(() => {
    if (res.headersSent) res.destroy();
    else res.writeHead(502).end();
  });
});
