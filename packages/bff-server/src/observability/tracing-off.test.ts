import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trace } from '@opentelemetry/api';
import { Browser, call, login, startOtlpReceiver, startStack, type OtlpReceiver, type Stack } from '@bff/test-kit';
import * as server from '../testing/test-app.js';
import type { Bff as Api } from '../bff.js';
import { tracingOn } from './tracing.js';

/**
 * With no OTEL_* variable set, tracing is off: the SDK is never started (no tracer provider is
 * registered, the BFF makes no span), and log lines carry no trace ids. Then with an endpoint
 * (the test kit's OTLP receiver) and OTEL_SDK_DISABLED=true: the receiver gets nothing.
 */
let receiver: OtlpReceiver;
let stack: Stack<Api>;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  stack = await startStack(server, { reports: 'exchange' });
}, 60_000);
afterAll(async () => {
  await stack?.close();
  await receiver?.stop();
});

describe('tracing without OTEL_* variables', () => {
  it('starts no SDK and writes no trace ids', async () => {
    expect(stack.api.config.observability.tracing).toBeUndefined();
    const browser = new Browser();
    await login(stack, browser, 'alice');
    expect((await call(stack, browser, 'reports')).status).toBe(200);
    expect(tracingOn()).toBe(false);
    // No SDK registered a provider: the API's global one is still the no-op, whose spans record nothing.
    expect(trace.getTracer('probe').startSpan('probe').isRecording()).toBe(false);
    // Longer than the SDK's batch delay (5 s): anything exported would have arrived.
    expect(stack.logs.some((line) => line.includes('trace_id'))).toBe(false);
  }, 30_000);

  it('with an endpoint but OTEL_SDK_DISABLED=true: off, and the endpoint receives nothing', async () => {
    const disabled = await stack.addInstance({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SDK_DISABLED: 'true' } });
    try {
      expect(disabled.api.config.observability.tracing).toBeUndefined();
      // Requests that would each be a trace (the callback goes to the first instance: its redirect URI).
      expect((await fetch(`${disabled.apiUrl}/api/health`)).status).toBe(200);
      expect((await fetch(`${disabled.apiUrl}/api/login`, { redirect: 'manual' })).status).toBe(302);
      expect((await call({ apiUrl: disabled.apiUrl }, new Browser(), 'me')).status).toBe(401);
      expect(tracingOn()).toBe(false);
      // Longer than the SDK's batch delay (5 s): anything exported would have arrived.
      await new Promise((resolve) => setTimeout(resolve, 5500));
      expect(receiver.requests()).toBe(0);
    } finally {
      await disabled.close();
    }
  }, 30_000);
});
