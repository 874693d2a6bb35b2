import { describeError } from '../errors.js';
import { METRICS_PATH } from '../observability/routes.js';
import type { Config } from './env.js';
import type { Finding } from './finding.js';
import { isLoopbackHost } from './topology.js';

/** How long each probe waits: a doctor run must not hang on a silent address. */
const PROBE_TIMEOUT_MS = 3000;

/**
 * Operating it (S31) against the live network: the metrics are not served through the public
 * URL (a proxy that forwards `/metrics`, or the metrics port published as the public one,
 * would show every route and outcome to anyone), and the OTLP traces endpoint takes exports.
 */
export async function observabilityFindings(config: Config, options: { fetch?: typeof fetch } = {}): Promise<Finding[]> {
  const fetcher = options.fetch ?? fetch;
  return [...(await publicMetricsFindings(config, fetcher)), ...(await otlpFindings(config, fetcher))];
}

/** True for a body in Prometheus's text format, of this BFF or of anything else. */
function looksLikeMetrics(body: string): boolean {
  return /^# (HELP|TYPE) \w+/m.test(body) || /^bff_\w+(\{[^}]*\})? /m.test(body);
}

async function publicMetricsFindings(config: Config, fetcher: typeof fetch): Promise<Finding[]> {
  const { metricsPort } = config.observability;
  if (metricsPort === undefined) return [{ severity: 'info', check: 'metrics', message: 'Metrics are off (METRICS_PORT is unset).' }];
  const url = new URL(METRICS_PATH, config.backUrl);
  let response: Response;
  try {
    response = await fetcher(url, { redirect: 'manual', signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
  } catch (error) {
    return [
      {
        severity: 'info',
        check: 'metrics-public',
        message: `Could not check that ${url.href} does not serve the metrics: nothing answered there (${describeError(error)}).`,
        fix: 'Run the doctor again once the API answers at BACK_URL.',
      },
    ];
  }
  const body = response.ok ? await response.text() : (await response.body?.cancel(), '');
  if (response.ok && looksLikeMetrics(body)) {
    return [
      {
        severity: 'error',
        check: 'metrics-public',
        message: `${url.href} serves metrics: anyone can read every route, outcome and dependency state.`,
        fix: `Serve the metrics listener (METRICS_PORT=${metricsPort}) on an internal network only; do not forward ${METRICS_PATH} or publish that port at the proxy.`,
      },
    ];
  }
  return [
    { severity: 'ok', check: 'metrics-public', message: `${url.href} does not serve the metrics (${response.status}); they are on port ${metricsPort} only.` },
  ];
}

async function otlpFindings(config: Config, fetcher: typeof fetch): Promise<Finding[]> {
  const tracing = config.observability.tracing;
  if (!tracing)
    return [{ severity: 'info', check: 'tracing', message: 'Traces are off (no OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT).' }];
  // The address without its query; the headers are credentials and are never printed.
  const where = `${tracing.url.origin}${tracing.url.pathname}`;
  const findings: Finding[] = [];
  if (tracing.url.protocol === 'http:' && !isLoopbackHost(tracing.url.hostname.replace(/^\[|\]$/g, '')) && Object.keys(tracing.headers).length > 0) {
    findings.push({
      severity: config.production ? 'warn' : 'info',
      check: 'tracing-tls',
      message: `The OTLP endpoint ${where} is plain http outside this host: OTEL_EXPORTER_OTLP_HEADERS (the collector's credentials) cross the network unencrypted.`,
      fix: 'Use an https endpoint, or a collector on this host or in its pod.',
    });
  }
  let response: Response;
  try {
    // An empty export: a collector accepts it and records nothing.
    response = await fetcher(tracing.url, {
      method: 'POST',
      headers: { ...tracing.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ resourceSpans: [] }),
      redirect: 'manual',
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
  } catch (error) {
    return [
      ...findings,
      {
        severity: 'error',
        check: 'tracing',
        message: `The OTLP endpoint ${where} does not answer (${describeError(error)}): spans are dropped.`,
        fix: 'Check OTEL_EXPORTER_OTLP_ENDPOINT (the collector base URL, /v1/traces is added) or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, and the firewall.',
      },
    ];
  }
  await response.body?.cancel();
  if (response.ok) return [...findings, { severity: 'ok', check: 'tracing', message: `The OTLP endpoint ${where} takes trace exports (${response.status}).` }];
  const fix =
    response.status === 401 || response.status === 403
      ? 'The collector refused the export: check OTEL_EXPORTER_OTLP_HEADERS (its credentials).'
      : response.status === 404
        ? 'Nothing takes traces there: OTEL_EXPORTER_OTLP_ENDPOINT is the base URL (the BFF adds /v1/traces); a full URL goes in OTEL_EXPORTER_OTLP_TRACES_ENDPOINT.'
        : response.status === 415
          ? 'The endpoint does not take OTLP/HTTP with JSON: point it at an OpenTelemetry Collector (otlp receiver, http protocol).'
          : 'Check the collector.';
  return [...findings, { severity: 'error', check: 'tracing', message: `The OTLP endpoint ${where} refused an empty trace export (${response.status}).`, fix }];
}
