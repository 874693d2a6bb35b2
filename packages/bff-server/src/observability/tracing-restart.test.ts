import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, startStack, type OtlpReceiver } from '@bff/test-kit';
import * as server from '../testing/test-app.js';
import { tracingOn } from './tracing.js';

/**
 * The OpenTelemetry SDK is process-wide: a BFF closed and another started later in the same
 * process (an app that rebuilds its BFF, a test run) must trace again. Spans go to the test
 * kit's OTLP receiver (no collector is packaged here).
 */
let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterAll(async () => {
  await receiver?.stop();
});

describe('tracing after a BFF of the same process closed', () => {
  it('starts again and exports the spans of the new BFF', async () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url };
    const first = await startStack(server, { env });
    expect((await fetch(`${first.apiUrl}/api/login`, { redirect: 'manual' })).status).toBe(302);
    await first.close();
    expect(tracingOn()).toBe(false);
    await receiver.waitFor((spans) => spans.some((span) => span.name === 'GET /api/login'));
    const before = receiver.spans().length;

    const second = await startStack(server, { env });
    try {
      expect(tracingOn()).toBe(true);
      expect((await fetch(`${second.apiUrl}/api/login`, { redirect: 'manual' })).status).toBe(302);
      const spans = await receiver.waitFor((all) => all.slice(before).some((span) => span.name === 'GET /api/login'));
      expect(spans.slice(before).find((span) => span.name === 'GET /api/login')?.attributes).toMatchObject({ 'http.response.status_code': 302 });
    } finally {
      await second.close();
    }
  }, 60_000);
});
