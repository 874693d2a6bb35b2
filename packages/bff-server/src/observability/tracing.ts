import { context, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import type { TracingSettings } from '../options/observability.js';

/**
 * OpenTelemetry traces of the BFF (S31), with the official SDK (`@opentelemetry/sdk-node`,
 * OTLP/HTTP exporter). The SDK is process-wide by design (one context manager, one
 * propagator), so tracing is too: the first BFF of a process with tracing configured starts
 * it, later ones share it, the last one to close stops it. While it is off, every function
 * here returns at its first check and no module of the SDK is loaded: tracing costs nothing.
 *
 * What a span may carry: names of routes, procedures and dependency operations from the code,
 * status codes, the downstream API's configured name and URL without query. Never a token, a
 * cookie, a code, a state, a `sub`, an e-mail or anything a request said: exceptions are
 * recorded by their class or code only, never their message.
 */

/** The tracer while tracing runs in this process; undefined is off. */
let tracer: Tracer | undefined;
let running: { readonly stop: () => Promise<void>; users: number; readonly endpoint: string } | undefined;
let starting: Promise<void> | undefined;

/** Where {@link startTracing} says it started: the BFF's `Logger` (named by shape: the log imports this module for its trace ids). */
export interface TracingLogger {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
}

/** The instrumentation scope of every span the BFF makes. */
export const TRACER_NAME = '@oidc-bff/server';

/** Whether spans are made now. */
export function tracingOn(): boolean {
  return tracer !== undefined;
}

/**
 * Starts the SDK with `settings` (or joins the one running in this process) and returns its
 * stop. The SDK's modules are imported here only, so that a BFF without tracing never loads them.
 */
export async function startTracing(settings: TracingSettings, logger: TracingLogger): Promise<() => Promise<void>> {
  if (!running) {
    starting ??= (async () => {
      const [{ NodeSDK }, { OTLPTraceExporter }, base] = await Promise.all([
        import('@opentelemetry/sdk-node'),
        import('@opentelemetry/exporter-trace-otlp-http'),
        import('@opentelemetry/sdk-trace-base'),
      ]);
      const ratio = new base.TraceIdRatioBasedSampler(settings.ratio);
      const samplers = {
        always_on: new base.AlwaysOnSampler(),
        always_off: new base.AlwaysOffSampler(),
        traceidratio: ratio,
        parentbased_always_on: new base.ParentBasedSampler({ root: new base.AlwaysOnSampler() }),
        parentbased_always_off: new base.ParentBasedSampler({ root: new base.AlwaysOffSampler() }),
        parentbased_traceidratio: new base.ParentBasedSampler({ root: ratio }),
      };
      const exporter = new OTLPTraceExporter({ url: settings.url.href, headers: { ...settings.headers } });
      const sdk = new NodeSDK({
        serviceName: settings.serviceName,
        sampler: samplers[settings.sampler],
        spanProcessors: [new base.BatchSpanProcessor(exporter)],
        // Spans are made by the BFF itself, where it knows what is safe to record: no
        // auto-instrumentation (it would record raw URLs with their query strings), no resource
        // detection (host and process details are the collector's business).
        instrumentations: [],
        autoDetectResources: false,
        // Left unset, the SDK would also export metrics and logs over OTLP by default: the
        // metrics are Prometheus's (METRICS_PORT) and the logs pino's.
        metricReaders: [],
        logRecordProcessors: [],
      });
      sdk.start();
      tracer = trace.getTracer(TRACER_NAME);
      running = {
        stop: async () => {
          await sdk.shutdown();
          // The SDK leaves its provider, context manager and propagator registered with the API, which
          // refuses a second registration: a BFF started later in this process would export nothing.
          trace.disable();
          context.disable();
          propagation.disable();
        },
        users: 0,
        endpoint: settings.url.href,
      };
      // The collector's address, never its headers (they hold its credentials).
      logger.info('tracing.started', { endpoint: `${settings.url.origin}${settings.url.pathname}`, sampler: settings.sampler, service: settings.serviceName });
    })().finally(() => {
      starting = undefined;
    });
    await starting;
  }
  const current = running;
  if (!current) throw new Error('Tracing did not start.');
  // One SDK per process: a second BFF shares the first one's, exporter included.
  if (current.users > 0 && current.endpoint !== settings.url.href) logger.warn('tracing.shared', { endpoint: current.endpoint.replace(/[?#].*$/, '') });
  current.users++;
  let stopped = false;
  return async () => {
    if (stopped) return;
    stopped = true;
    if (--current.users > 0) return;
    tracer = undefined;
    running = undefined;
    await current.stop();
  };
}

/** What an exception may say in a span: its class and code, never its message (which may quote a token or a body). */
function errorType(error: unknown): string {
  if (typeof error !== 'object' || error === null) return 'unknown';
  const { name, code } = error as { name?: unknown; code?: unknown };
  const type = typeof code === 'string' && /^[\w.-]{1,64}$/.test(code) ? code : typeof name === 'string' && /^\w{1,64}$/.test(name) ? name : 'Error';
  return type;
}

/** Marks `span` as failed by `error`, as {@link errorType} allows. */
export function failSpan(span: Span, error: unknown): void {
  span.setAttribute('error.type', errorType(error));
  span.setStatus({ code: SpanStatusCode.ERROR });
}

/**
 * Runs `work` in a span named `name`, child of the active one, ended when `work` settles; a
 * throw marks it failed. Off, or under a request the sampler left out, it is `work()` and nothing else.
 */
export function inSpan<T>(name: string, attributes: Attributes, work: (span: Span | undefined) => Promise<T>, kind: SpanKind = SpanKind.INTERNAL): Promise<T> {
  if (!tracer || !childWanted()) return work(undefined);
  return tracer.startActiveSpan(name, { kind, attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      failSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * Starts a span that the caller ends (an HTTP request, ended when its response closes), and
 * runs `work` with it active. Off, it is `work(undefined)`.
 */
export function withNewSpan<T>(name: string, attributes: Attributes, kind: SpanKind, work: (span: Span | undefined) => T): T {
  if (!tracer) return work(undefined);
  const span = tracer.startSpan(name, { kind, attributes }, context.active());
  return context.with(trace.setSpan(context.active(), span), () => work(span));
}

/** Starts a child of the active span that the caller ends; undefined when off or under a request the sampler left out. */
export function startSpan(name: string, attributes: Attributes = {}, kind: SpanKind = SpanKind.INTERNAL): Span | undefined {
  if (!tracer || !childWanted()) return undefined;
  return tracer.startSpan(name, { kind, attributes }, context.active());
}

/**
 * Whether a span made here would record: not under a request the sampler left out (its
 * children would record nothing, and making them costs on every such request). Outside any
 * request (discovery at start, a procedure called directly) a span starts a trace of its own.
 */
function childWanted(): boolean {
  const parent = trace.getSpan(context.active());
  return parent === undefined || parent.isRecording();
}

/** Adds the active span's W3C `traceparent` (and `tracestate`) to `headers`; nothing when off. */
export function injectTraceContext(headers: Record<string, string>): void {
  if (!tracer) return;
  propagation.inject(context.active(), headers);
}

/** The active span's ids, for log lines and audit events; undefined when none. */
export function activeTraceIds(): { readonly traceId: string; readonly spanId: string } | undefined {
  if (!tracer) return undefined;
  const span = trace.getSpan(context.active());
  if (!span) return undefined;
  const { traceId, spanId, traceFlags } = span.spanContext();
  // An unsampled span's ids lead nowhere: no backend holds its trace.
  return traceFlags & 1 ? { traceId, spanId } : undefined;
}

/** A URL as a span attribute: scheme, host, port and path, never the query or fragment (S31). */
export function urlAttribute(url: URL | string): string {
  const parsed = typeof url === 'string' ? new URL(url) : url;
  return `${parsed.origin}${parsed.pathname}`;
}

export { SpanKind, SpanStatusCode };
