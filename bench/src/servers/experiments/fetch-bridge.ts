import type { IncomingMessage, ServerResponse } from 'node:http';

/** A WHATWG Request for a Node request (the body streams through for non-GET methods). */
export function toRequest(req: IncomingMessage): Request {
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i] ?? '', req.rawHeaders[i + 1] ?? '');
  const url = `http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`;
  const method = req.method ?? 'GET';
  if (method === 'GET' || method === 'HEAD') return new Request(url, { method, headers });
  return new Request(url, { method, headers, body: req as unknown as ReadableStream, duplex: 'half' } as RequestInit);
}

/** Writes a buffered WHATWG Response in one go: one write, no stream plumbing per chunk. */
export async function sendResponse(res: ServerResponse, response: Response, extraHeaders: Readonly<Record<string, string>> = {}): Promise<void> {
  const headers: Record<string, string> = { ...extraHeaders };
  response.headers.forEach((value, name) => {
    headers[name] = name === 'vary' && headers['vary'] ? `${headers['vary']}, ${value}` : value;
  });
  const body = Buffer.from(await response.arrayBuffer());
  headers['content-length'] = String(body.length);
  res.writeHead(response.status, headers);
  res.end(body);
}
