import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The request headers tRPC reads (body type, streaming and resumption); the rest,
 * cookies included, never reach the router: the context gets the session from the
 * cookie the endpoint reads.
 */
const FORWARDED_HEADERS = ['content-type', 'accept', 'trpc-accept', 'last-event-id'] as const;

/** Reads the body, or undefined once it exceeds `limit` bytes. */
export async function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A fetch `Request` for tRPC's fetch adapter from Node's request. */
export function toFetchRequest(req: IncomingMessage, body: string | undefined, signal: AbortSignal | undefined): Request {
  const headers = new Headers();
  for (const name of FORWARDED_HEADERS) {
    const value = req.headers[name];
    if (typeof value === 'string') headers.set(name, value);
  }
  return new Request(`http://api${req.url ?? '/'}`, {
    method: req.method ?? 'GET',
    headers,
    ...(body !== undefined ? { body } : {}),
    ...(signal ? { signal } : {}),
  });
}

/**
 * Writes tRPC's fetch `Response` to Node's response: ordinary replies in one buffered
 * write with `content-length`; server-sent events streamed until the client leaves.
 */
export async function writeFetchResponse(res: ServerResponse, response: Response, aborted: AbortSignal | undefined): Promise<void> {
  response.headers.forEach((value, name) => {
    res.setHeader(name, name === 'vary' ? `Origin, ${value}` : value);
  });
  if (response.body && response.headers.get('content-type')?.includes('text/event-stream')) {
    res.writeHead(response.status);
    res.flushHeaders();
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done || aborted?.aborted) break;
      res.write(value);
    }
    res.end();
    return;
  }
  const payload = Buffer.from(await response.arrayBuffer());
  res.setHeader('content-length', payload.length);
  res.writeHead(response.status).end(payload);
}
