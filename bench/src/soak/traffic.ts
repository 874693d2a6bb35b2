import { Agent, request, type IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { API_PATHS, CSRF_HEADER, CSRF_HEADER_VALUE } from '@oidc-bff/protocol';
import { FRONT } from '@bff/test-kit';
import type { Outcomes } from './outcomes.js';

/** A request that has not answered in this time counts as an error; nothing waits forever. */
const REQUEST_TIMEOUT_MS = 10_000;
/** A per-session limit refuses with this status; the soak expects and counts it. */
const TOO_MANY_REQUESTS = 429;

/** The API under soak: requests go to the loopback address with the Host it is configured for. */
export interface Target {
  readonly port: number;
}

/** One signed-in browser: its cookie header. */
export type SessionCookie = string;

interface CallSpec {
  readonly path: string;
  readonly mutation?: boolean;
  /** A query string, without the `?`. */
  readonly query?: string;
  readonly body?: (index: number) => string;
  readonly batch?: boolean;
}

const historyInput = `input=${encodeURIComponent(JSON.stringify({ limit: 20 }))}`;
const repeat = (count: number, spec: CallSpec): CallSpec[] => Array.from({ length: count }, () => spec);

/**
 * Every twenty calls, what the Angular client sends: mostly `me`, the chat's history,
 * a tenth mutations (`chat.send`, so that open streams receive messages), the devices
 * list, analytics (alice is an analyst) and one batch as `httpBatchLink` sends it.
 */
const MIX: readonly CallSpec[] = [
  ...repeat(11, { path: 'me' }),
  ...repeat(3, { path: 'chat.history', query: historyInput }),
  { path: 'sessions.list' },
  { path: 'analytics' },
  ...repeat(2, { path: 'chat.send', mutation: true, body: (index) => JSON.stringify({ text: `soak message ${index}` }) }),
  { path: 'me,chat.history', batch: true, query: `batch=1&input=${encodeURIComponent(JSON.stringify({ 1: { limit: 20 } }))}` },
];

function headers(target: Target, cookie: SessionCookie): Record<string, string> {
  return { host: `localhost:${target.port}`, origin: FRONT, cookie };
}

interface Answer {
  readonly status: number;
  readonly body: string;
}

function send(agent: Agent, target: Target, cookie: SessionCookie, spec: CallSpec, index: number): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    const path = `${API_PATHS.trpc}/${spec.path}${spec.query ? `?${spec.query}` : ''}`;
    const body = spec.body?.(index);
    const req = request(
      {
        host: '127.0.0.1',
        port: target.port,
        method: spec.mutation ? 'POST' : 'GET',
        path,
        agent,
        timeout: REQUEST_TIMEOUT_MS,
        headers: {
          ...headers(target, cookie),
          [CSRF_HEADER]: CSRF_HEADER_VALUE,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`), { code: 'TIMEOUT' })));
    req.on('error', reject);
    req.end(body);
  });
}

/** The tRPC error code of an error body (single or batch), if it has one. */
function trpcCode(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as unknown;
    const first = (Array.isArray(parsed) ? parsed.find((item: { error?: unknown }) => item.error) : parsed) as
      { error?: { data?: { code?: string } } } | undefined;
    return first?.error?.data?.code;
  } catch {
    return undefined;
  }
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.name : 'unknown';
}

async function callOnce(agent: Agent, target: Target, cookie: SessionCookie, spec: CallSpec, index: number, outcomes: Outcomes): Promise<void> {
  let answer: Answer;
  try {
    answer = await send(agent, target, cookie, spec, index);
  } catch (error) {
    outcomes.fail(`call ${spec.path} ${errorCode(error)}`, error instanceof Error ? error.message : String(error));
    return;
  }
  const { status, body } = answer;
  if (status === 200 && body.startsWith(spec.batch ? '[{"result":' : '{"result":') && !(spec.batch && body.includes('"error":'))) {
    outcomes.calls++;
  } else if (status === TOO_MANY_REQUESTS) {
    outcomes.refuse(`call ${status}`);
  } else {
    outcomes.fail(`call ${spec.path} ${status} ${trpcCode(body) ?? ''}`.trimEnd(), body.slice(0, 200));
  }
}

/**
 * Sends `count` calls over `connections` keep-alive connections, round-robin over the
 * sessions, and waits for every answer. Stops early (leaving calls unsent) when `signal` aborts.
 */
export async function runCalls(options: {
  readonly target: Target;
  readonly sessions: readonly SessionCookie[];
  readonly count: number;
  readonly connections: number;
  readonly outcomes: Outcomes;
  readonly signal: AbortSignal;
}): Promise<void> {
  const { target, sessions, count, connections, outcomes, signal } = options;
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  let next = 0;
  const worker = async () => {
    while (!signal.aborted) {
      const index = next++;
      if (index >= count) return;
      const spec = MIX[index % MIX.length];
      const cookie = sessions[Math.floor(index / MIX.length) % sessions.length];
      if (!spec || cookie === undefined) return;
      await callOnce(agent, target, cookie, spec, index, outcomes);
    }
  };
  try {
    await Promise.all(Array.from({ length: connections }, worker));
  } finally {
    // Closed here, so that a reading taken next counts no socket of ours.
    agent.destroy();
  }
}

/** `event` and `data` of one server-sent event block. */
function parseEvent(block: string): { event: string; data: string } {
  const event = /^event: ?(.*)$/m.exec(block)?.[1] ?? 'message';
  const data = [...block.matchAll(/^data: ?(.*)$/gm)].map((m) => m[1]).join('\n');
  return { event, data };
}

type StreamOutcome = 'dropped' | 'dropped early' | { readonly refused: string } | { readonly error: string; readonly detail: string };

/**
 * Opens `chat.onMessage` as the browser's EventSource does (`GET`, `accept:
 * text/event-stream`, the front's Origin, the cookie; a connection of its own) and
 * drops it the way a closed tab does: the connection goes away. Every tenth stream is
 * dropped as soon as its headers arrive; the others once the `connected` event is in,
 * after holding it open for 0 to 40 ms. Each stream has exactly one outcome; a refusal
 * (`TOO_MANY_REQUESTS`, as an HTTP status or an error event) that would have come after
 * the drop goes unseen, and the stream counts as dropped.
 */
function openAndDrop(target: Target, cookie: SessionCookie, index: number, outcomes: Outcomes): Promise<void> {
  return new Promise<void>((resolve) => {
    let finished = false;
    const req = request({
      host: '127.0.0.1',
      port: target.port,
      path: `${API_PATHS.trpc}/chat.onMessage`,
      agent: false,
      timeout: REQUEST_TIMEOUT_MS,
      headers: { ...headers(target, cookie), accept: 'text/event-stream' },
    });
    const finish = (outcome: StreamOutcome) => {
      if (finished) return;
      finished = true;
      if (outcome === 'dropped') outcomes.streamsDropped++;
      else if (outcome === 'dropped early') outcomes.streamsDroppedEarly++;
      else if ('refused' in outcome) outcomes.refuse(outcome.refused);
      else outcomes.fail(outcome.error, outcome.detail);
      req.destroy();
      resolve();
    };
    req.on('timeout', () => finish({ error: 'stream timeout', detail: `no connected event within ${REQUEST_TIMEOUT_MS} ms` }));
    req.on('error', (error) => finish({ error: `stream ${errorCode(error)}`, detail: error.message }));
    req.on('response', (res: IncomingMessage) => {
      if (res.statusCode === TOO_MANY_REQUESTS) return finish({ refused: `stream ${TOO_MANY_REQUESTS}` });
      if (res.statusCode !== 200 || !res.headers['content-type']?.includes('text/event-stream')) {
        return finish({ error: `stream ${res.statusCode ?? 0}`, detail: String(res.headers['content-type']) });
      }
      if (index % 10 === 0) return finish('dropped early');
      res.setEncoding('utf8');
      let buffer = '';
      let connected = false;
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end;
        while (!finished && (end = buffer.indexOf('\n\n')) >= 0) {
          const { event, data } = parseEvent(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if (event === 'connected' && !connected) {
            connected = true;
            setTimeout(() => finish('dropped'), (index * 7) % 41);
          } else if (event === 'serialized-error') {
            const code = trpcCode(`{"error":${data}}`);
            if (code === 'TOO_MANY_REQUESTS') finish({ refused: `stream ${TOO_MANY_REQUESTS}` });
            else finish({ error: `stream error event ${code ?? '?'}`, detail: data.slice(0, 200) });
          } else if (event === 'message' && connected) {
            outcomes.messagesDelivered++;
          }
        }
      });
      res.on('close', () => finish({ error: 'stream ended by the server', detail: connected ? 'after connected' : 'before connected' }));
    });
    req.end();
  });
}

/**
 * Opens and drops `count` streams: each session opens waves of at most `perSession`
 * streams at once (under the per-session cap on open streams), waits until the wave
 * is dropped, pauses a moment for the server to see the connections go, and opens the next.
 */
export async function runStreams(options: {
  readonly target: Target;
  readonly sessions: readonly SessionCookie[];
  readonly count: number;
  readonly perSession: number;
  readonly outcomes: Outcomes;
  readonly signal: AbortSignal;
}): Promise<void> {
  const { target, sessions, count, perSession, outcomes, signal } = options;
  let next = 0;
  await Promise.all(
    sessions.map(async (cookie) => {
      while (!signal.aborted && next < count) {
        const wave: number[] = [];
        while (wave.length < perSession && next < count) wave.push(next++);
        await Promise.all(wave.map((index) => openAndDrop(target, cookie, index, outcomes)));
        await sleep(5);
      }
    }),
  );
}
