import { createServer, request, type Server } from 'node:http';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startOtlpReceiver, startStack, type OtlpReceiver, type Stack } from '@bff/test-kit';
import * as server from '../testing/test-app.js';
import type { Bff as Api } from '../bff.js';
import { observabilityFindings } from './doctor-observability.js';

/**
 * The doctor's operating checks against real listeners: the BFF's public port and its metrics
 * port, a reverse proxy that wrongly forwards everything to the metrics port, and the test
 * kit's OTLP receiver (no OpenTelemetry Collector is packaged here) for the traces endpoint.
 */
let stack: Stack<Api>;
let metricsPort: number;
let receiver: OtlpReceiver;
let leaky: Server;
let leakyUrl: string;

beforeAll(async () => {
  metricsPort = await freePort();
  receiver = await startOtlpReceiver();
  stack = await startStack(server, { env: { METRICS_PORT: String(metricsPort) } });
  // A proxy that publishes the metrics port as the public one: what the doctor must catch.
  leaky = createServer((req, res) => {
    const upstream = request({ host: '127.0.0.1', port: metricsPort, path: req.url, method: req.method }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  }).listen(0, '127.0.0.1');
  await once(leaky, 'listening');
  const address = leaky.address();
  leakyUrl = `http://localhost:${typeof address === 'object' && address ? address.port : 0}`;
}, 60_000);
afterAll(async () => {
  leaky?.closeAllConnections();
  leaky?.close();
  await stack?.close();
  await receiver?.stop();
});

const config = (env: Record<string, string>) => server.loadConfig({ METRICS_PORT: String(metricsPort), ...env });
const finding = async (env: Record<string, string>, check: string) => (await observabilityFindings(config(env))).find((f) => f.check === check);

describe('doctor: the metrics are not served through the public URL', () => {
  it('is satisfied by the BFF, whose public port answers 404 for /metrics', async () => {
    expect(await finding({ BACK_URL: stack.apiUrl }, 'metrics-public')).toMatchObject({ severity: 'ok' });
  });

  it('names the error and its fix when the public URL serves them (a proxy forwarding to the metrics port)', async () => {
    const found = await finding({ BACK_URL: leakyUrl }, 'metrics-public');
    expect(found).toMatchObject({ severity: 'error' });
    expect(found?.fix).toContain(`METRICS_PORT=${metricsPort}`);
  });

  it('says it could not check when nothing answers at the public URL, and says nothing of metrics that are off', async () => {
    expect(await finding({ BACK_URL: `http://localhost:${await freePort()}` }, 'metrics-public')).toMatchObject({ severity: 'info' });
    const off = await observabilityFindings(server.loadConfig({ BACK_URL: stack.apiUrl }));
    expect(off.find((f) => f.check === 'metrics')).toMatchObject({ severity: 'info' });
    expect(off.some((f) => f.check === 'metrics-public')).toBe(false);
  });
});

describe('doctor: the OTLP endpoint answers', () => {
  const secret = 's3cret-collector-key';

  it('is satisfied by an endpoint that takes an empty OTLP/JSON export, which records no span', async () => {
    const before = receiver.spans().length;
    const found = await finding(
      { BACK_URL: stack.apiUrl, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_HEADERS: `api-key=${secret}` },
      'tracing',
    );
    expect(found).toMatchObject({ severity: 'ok' });
    expect(receiver.spans().length).toBe(before);
    expect(receiver.requests()).toBeGreaterThan(0);
  });

  it('names a wrong path, a silent address and tracing off, never printing the headers', async () => {
    const wrongPath = await finding(
      { BACK_URL: stack.apiUrl, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces/extra`, OTEL_EXPORTER_OTLP_HEADERS: `api-key=${secret}` },
      'tracing',
    );
    expect(wrongPath).toMatchObject({ severity: 'error' });
    expect(wrongPath?.fix).toContain('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
    const silent = await finding(
      { BACK_URL: stack.apiUrl, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await freePort()}`, OTEL_EXPORTER_OTLP_HEADERS: `api-key=${secret}` },
      'tracing',
    );
    expect(silent).toMatchObject({ severity: 'error' });
    expect(JSON.stringify([wrongPath, silent])).not.toContain(secret);
    expect(await finding({ BACK_URL: stack.apiUrl }, 'tracing')).toMatchObject({ severity: 'info' });
  });

  it('points out collector credentials sent in clear to another host, and not to this one', async () => {
    // Nothing answers there (the probe then fails too): the warning is about the address alone.
    const remote = await observabilityFindings(
      config({
        BACK_URL: stack.apiUrl,
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://collector.test:${await freePort()}`,
        OTEL_EXPORTER_OTLP_HEADERS: `api-key=${secret}`,
      }),
    );
    expect(remote.find((f) => f.check === 'tracing-tls')).toMatchObject({ severity: 'info' });
    expect(JSON.stringify(remote)).not.toContain(secret);
    const local = await observabilityFindings(
      config({ BACK_URL: stack.apiUrl, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_HEADERS: `api-key=${secret}` }),
    );
    expect(local.some((f) => f.check === 'tracing-tls')).toBe(false);
  });
});
