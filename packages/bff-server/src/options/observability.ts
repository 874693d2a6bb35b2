import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { int } from './fields.js';

/** Where audit lines go: the process's stdout (each line carries `"audit": true`), or a file of their own. */
export type AuditDestination = { readonly kind: 'stdout' } | { readonly kind: 'file'; readonly path: string };

/** The samplers of the OpenTelemetry specification (`OTEL_TRACES_SAMPLER`). */
export const TRACE_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;
export type TraceSampler = (typeof TRACE_SAMPLERS)[number];

/** OpenTelemetry traces, resolved: on when an OTLP endpoint is set and the SDK is not disabled. */
export interface TracingSettings {
  /** Where spans are posted (OTLP/HTTP, JSON): the traces endpoint itself. */
  readonly url: URL;
  /** Sent with every export (a collector's API key): never logged. */
  readonly headers: Readonly<Record<string, string>>;
  readonly serviceName: string;
  readonly sampler: TraceSampler;
  /** For the ratio samplers: the share of traces kept, 0 to 1. */
  readonly ratio: number;
}

/** `key=value,key2=value2` as the OpenTelemetry specification writes headers (values percent-encoded). */
function parseHeaders(raw: string, ctx: z.RefinementCtx): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of raw.split(',').filter((item) => item.trim() !== '')) {
    const at = pair.indexOf('=');
    const name = pair.slice(0, Math.max(at, 0)).trim().toLowerCase();
    let value: string | undefined;
    try {
      value = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      value = undefined;
    }
    // The value is a credential more often than not: the message names the header only.
    if (at <= 0 || !/^[!#$%&'*+.^_`|~\w-]+$/.test(name) || value === undefined || /[\r\n]/.test(value)) {
      ctx.addIssue({ code: 'custom', message: `must be name=value pairs separated by commas (the pair for "${name.slice(0, 40)}" is not one).` });
      return z.NEVER;
    }
    headers[name] = value;
  }
  return headers;
}

const tracingUrl = z
  .string({ error: 'must be an http(s) URL' })
  .trim()
  .transform((raw, ctx) => {
    try {
      const url = new URL(raw);
      if (url.protocol === 'http:' || url.protocol === 'https:') return url;
    } catch {
      // refused below
    }
    ctx.addIssue({ code: 'custom', message: `"${raw.slice(0, 80)}" is not an http(s) URL; write it like http://collector:4318.` });
    return z.NEVER;
  });

/**
 * OpenTelemetry traces (S31), as the standard `OTEL_*` variables describe them. Off unless an
 * endpoint is set: nothing of the SDK is loaded then. `endpoint` is the collector's base URL,
 * to which `/v1/traces` is added; `tracesEndpoint` is the traces URL itself and wins.
 */
export const tracingOptions = z
  .strictObject({
    endpoint: tracingUrl.optional(),
    tracesEndpoint: tracingUrl.optional(),
    headers: z
      .string()
      .optional()
      .transform((raw, ctx) => (raw === undefined ? {} : parseHeaders(raw, ctx))),
    serviceName: z.string().trim().min(1).max(128).default('oidc-bff'),
    sampler: z.enum(TRACE_SAMPLERS, { error: `must be one of ${TRACE_SAMPLERS.join(', ')}` }).default('parentbased_always_on'),
    samplerArg: z
      .number({ error: 'must be a number from 0 to 1' })
      .min(0, { error: 'must be a number from 0 to 1' })
      .max(1, { error: 'must be a number from 0 to 1' })
      .default(1),
    disabled: z.boolean({ error: 'must be true or false' }).default(false),
  })
  .transform(({ endpoint, tracesEndpoint, headers, serviceName, sampler, samplerArg, disabled }): TracingSettings | undefined => {
    const url = tracesEndpoint ?? (endpoint ? new URL(`${endpoint.href.replace(/\/$/, '')}/v1/traces`) : undefined);
    if (!url || disabled) return undefined;
    return { url, headers, serviceName, sampler, ratio: samplerArg };
  });

/**
 * What the BFF shows of itself (S31): Prometheus metrics on a port of their own
 * (`metricsPort`, METRICS_PORT) and the audit trail of the session lifecycle (`auditLog`,
 * AUDIT_LOG: `stdout` or a file path, relative to the working directory) and OpenTelemetry traces
 * (`tracing`, the standard OTEL_* variables). Each is off when unset.
 */
export const observabilityOptions = z.strictObject({
  /** `GET /metrics` in Prometheus's format listens here; never the public port. */
  metricsPort: int(1, 65535).optional(),
  auditLog: z
    .string({ error: 'must be stdout or a file path' })
    .trim()
    .min(1, { error: 'must be stdout or a file path' })
    .optional()
    .transform((value): AuditDestination | undefined =>
      value === undefined ? undefined : value === 'stdout' ? { kind: 'stdout' } : { kind: 'file', path: isAbsolute(value) ? value : resolve(value) },
    ),
  /** OpenTelemetry traces (`OTEL_*`); off when no endpoint is set. */
  tracing: tracingOptions.prefault({}),
});

export type ObservabilityOptions = z.input<typeof observabilityOptions>;
