import type { IncomingMessage, ServerResponse } from 'node:http';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { publicRouter } from '../public-router.js';
import { serve } from '../serve.js';

/** The public `me` through tRPC's fetch adapter behind the leanest Node handler that can host it. */
function toRequest(req: IncomingMessage): Request {
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i] ?? '', req.rawHeaders[i + 1] ?? '');
  const url = `http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`;
  const method = req.method ?? 'GET';
  if (method === 'GET' || method === 'HEAD') return new Request(url, { method, headers });
  return new Request(url, { method, headers, body: req as unknown as ReadableStream, duplex: 'half' } as RequestInit);
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const response = await fetchRequestHandler({ endpoint: '/api/trpc', req: toRequest(req), router: publicRouter });
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  res.writeHead(response.status, headers);
  res.end(Buffer.from(await response.arrayBuffer()));
}

await serve((req, res) => {
  handle(req, res).catch(() => {
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
});
