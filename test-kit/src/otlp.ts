import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';

/**
 * An OTLP/HTTP trace receiver for tests: no OpenTelemetry Collector is packaged for these
 * machines, so this stands in for one. It decodes what the real exporter
 * (`@opentelemetry/exporter-trace-otlp-http`) posts to `/v1/traces`: OTLP's JSON encoding,
 * which is the protocol itself (OTLP/HTTP with `application/json`), ids in hex as the
 * specification writes them (base64 ones are read too). Another path is a 404, another
 * encoding a 415; both count as refused, so that a test sees an exporter that changed.
 */
export interface OtlpReceiver {
  /** The base URL to set as `OTEL_EXPORTER_OTLP_ENDPOINT` (the exporter adds `/v1/traces`). */
  readonly url: string;
  /** Every span received so far, in arrival order. */
  spans(): readonly ReceivedSpan[];
  /** Export requests received (accepted or refused). */
  readonly requests: () => number;
  /** Requests that were not OTLP/JSON trace exports. */
  readonly refused: () => number;
  /** Waits until `test` holds for the spans received (up to `timeoutMs`), and returns them. */
  waitFor(test: (spans: readonly ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<readonly ReceivedSpan[]>;
  stop(): Promise<void>;
}

/** One span as the receiver decoded it. */
export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** Undefined for a trace's root. */
  readonly parentSpanId: string | undefined;
  readonly name: string;
  /** OTLP's SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  readonly kind: number;
  readonly attributes: Readonly<Record<string, unknown>>;
  /** OTLP's status code: 0 unset, 1 ok, 2 error. */
  readonly status: number;
  /** The resource's `service.name`. */
  readonly service: string | undefined;
  readonly scope: string | undefined;
}

interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: KeyValue[] };
  bytesValue?: string;
}
interface KeyValue {
  key: string;
  value?: AnyValue;
}
interface ExportRequest {
  resourceSpans?: {
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: {
      scope?: { name?: string };
      spans?: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind?: number;
        attributes?: KeyValue[];
        status?: { code?: number };
      }[];
    }[];
  }[];
}

function valueOf(value: AnyValue | undefined): unknown {
  if (!value) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(valueOf);
  if (value.kvlistValue) return attributesOf(value.kvlistValue.values);
  return value.bytesValue;
}

function attributesOf(list: KeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map(({ key, value }) => [key, valueOf(value)]));
}

/** Hex as OTLP/JSON writes ids; base64 as protobuf's JSON mapping would. */
function hexId(id: string | undefined): string | undefined {
  if (!id) return undefined;
  return /^[0-9a-f]+$/i.test(id) ? id.toLowerCase() : Buffer.from(id, 'base64').toString('hex');
}

/** The receiver's request handler and what it received, for a server of one's own (the bench runs it in a child). */
export interface OtlpTraceHandler {
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  spans(): readonly ReceivedSpan[];
  /** Spans received, kept or not. */
  readonly spanCount: () => number;
  readonly requests: () => number;
  readonly refused: () => number;
}

/**
 * What {@link startOtlpReceiver} serves. `keepSpans: false` only counts them (a load test
 * exports thousands a second).
 */
export function otlpTraceHandler(options: { readonly keepSpans?: boolean } = {}): OtlpTraceHandler {
  const keep = options.keepSpans ?? true;
  const received: ReceivedSpan[] = [];
  let count = 0;
  let requests = 0;
  let refused = 0;
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    requests++;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const type = req.headers['content-type'] ?? '';
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        refused++;
        res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n');
        return;
      }
      if (!type.startsWith('application/json')) {
        refused++;
        res.writeHead(415, { 'content-type': 'text/plain' }).end('OTLP/JSON trace exports only\n');
        return;
      }
      let body: ExportRequest;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ExportRequest;
      } catch {
        refused++;
        res.writeHead(400).end();
        return;
      }
      for (const resourceSpans of body.resourceSpans ?? []) {
        const resource = attributesOf(resourceSpans.resource?.attributes);
        for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
          for (const span of scopeSpans.spans ?? []) {
            count++;
            if (!keep) continue;
            received.push({
              traceId: hexId(span.traceId) ?? '',
              spanId: hexId(span.spanId) ?? '',
              parentSpanId: hexId(span.parentSpanId),
              name: span.name,
              kind: span.kind ?? 0,
              attributes: attributesOf(span.attributes),
              status: span.status?.code ?? 0,
              service: typeof resource['service.name'] === 'string' ? resource['service.name'] : undefined,
              scope: scopeSpans.scope?.name,
            });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  };
  return { handler, spans: () => [...received], spanCount: () => count, requests: () => requests, refused: () => refused };
}

/** Starts the receiver on 127.0.0.1, on `port` or a free one. */
export async function startOtlpReceiver(options: { readonly port?: number } = {}): Promise<OtlpReceiver> {
  const state = otlpTraceHandler();
  const server: Server = createServer(state.handler);
  server.listen(options.port ?? 0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('The OTLP receiver has no port.');
  return {
    url: `http://127.0.0.1:${address.port}`,
    spans: state.spans,
    requests: state.requests,
    refused: state.refused,
    waitFor: async (test, timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!test(state.spans())) {
        if (Date.now() > deadline)
          throw new Error(
            `The spans received (${state
              .spans()
              .map((span) => span.name)
              .join(', ')}) never passed the test.`,
          );
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return state.spans();
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
