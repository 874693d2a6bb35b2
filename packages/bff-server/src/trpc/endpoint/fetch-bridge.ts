import { once } from 'node:events';
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
export function toFetchRequest(req: IncomingMessage, body: string | undefined): Request {
  const headers = new Headers();
  for (const name of FORWARDED_HEADERS) {
    const value = req.headers[name];
    if (typeof value === 'string') headers.set(name, value);
  }
  return new Request(`http://api${req.url ?? '/'}`, {
    method: req.method ?? 'GET',
    headers,
    ...(body !== undefined ? { body } : {}),
  });
}

/**
 * Framing and connection headers are Node's to write. tRPC's fetch `Response` sets
 * `transfer-encoding: chunked` on a jsonl batch and `connection: keep-alive` on a stream;
 * copied, they would contradict the framing Node chooses (both `Transfer-Encoding` and
 * `Content-Length`, which RFC 9112 §6.1 forbids and proxies may split differently).
 */
const NODE_OWNED_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive']);

/** Whether tRPC answers with a stream: server-sent events, or a jsonl batch (which tRPC marks with `transfer-encoding`). */
function isStream(response: Response): boolean {
  return response.body !== null && (response.headers.has('transfer-encoding') || response.headers.get('content-type')?.includes('text/event-stream') === true);
}

/**
 * Writes tRPC's fetch `Response` to Node's response, framed once: an ordinary reply in
 * one write with `content-length`; a stream (server-sent events, jsonl) chunked by Node,
 * without `content-length`. A jsonl batch is streamed, not buffered: its point is that
 * each call's result leaves when ready, and a call may return an async iterable that
 * never ends, which a buffer would hold in memory for ever.
 *
 * @param openStream called when the response is a stream; the signal it returns aborts when
 *   the client leaves or the instance ends its streams, and the stream ends then.
 * @see https://www.rfc-editor.org/rfc/rfc9112#section-6.1
 */
export async function writeFetchResponse(res: ServerResponse, response: Response, openStream: (res: ServerResponse) => AbortSignal): Promise<void> {
  response.headers.forEach((value, name) => {
    if (!NODE_OWNED_HEADERS.has(name)) res.setHeader(name, name === 'vary' ? `Origin, ${value}` : value);
  });
  if (response.body && isStream(response)) {
    // A proxy that buffers by default (nginx) must pass streams through as they come.
    res.setHeader('x-accel-buffering', 'no');
    res.writeHead(response.status);
    res.flushHeaders();
    await copyStream(res, response.body, openStream(res));
    return;
  }
  const payload = Buffer.from(await response.arrayBuffer());
  res.setHeader('content-length', payload.length);
  res.writeHead(response.status).end(payload);
}

/**
 * Copies a stream at the pace the client reads it: a slow reader holds up the producer,
 * not this process's memory. Cancelling the body on abort is what ends tRPC's producer
 * and, through it, the procedure's generator.
 */
async function copyStream(res: ServerResponse, body: ReadableStream<Uint8Array>, signal: AbortSignal): Promise<void> {
  const reader = body.getReader();
  const cancel = () => {
    reader.cancel().catch(() => undefined);
  };
  if (signal.aborted) cancel();
  else signal.addEventListener('abort', cancel, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || signal.aborted) break;
      if (!res.write(value)) await once(res, 'drain', { signal });
    }
  } catch (error) {
    // Waiting for `drain` ends with an AbortError once the client has left: nothing is left to write to.
    if (!signal.aborted) throw error;
  } finally {
    signal.removeEventListener('abort', cancel);
  }
  res.end();
}
