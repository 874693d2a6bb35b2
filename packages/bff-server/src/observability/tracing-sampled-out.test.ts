import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, call, login, startOtlpReceiver, startStack, type OtlpReceiver, type Stack } from '@bff/test-kit';
import * as server from '../testing/test-app.js';
import type { Bff as Api } from '../bff.js';
import { tracingOn } from './tracing.js';

/**
 * Tracing on, every trace left out by the sampler (OTEL_TRACES_SAMPLER=traceidratio, ratio 0):
 * nothing reaches the test kit's OTLP receiver (no collector is packaged here), not even the
 * children of a request (they are not made at all), and a downstream API is still told, by a
 * `traceparent` whose flags say "not sampled", that the call belongs to a trace left out.
 */
let receiver: OtlpReceiver;
let stack: Stack<Api>;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  stack = await startStack(server, {
    reports: 'exchange',
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' },
  });
}, 60_000);
afterAll(async () => {
  await stack?.close();
  await receiver?.stop();
});

describe('traces the sampler leaves out', () => {
  it('exports nothing, and the downstream call carries a traceparent flagged not sampled', async () => {
    expect(tracingOn()).toBe(true);
    const browser = new Browser();
    await login(stack, browser, 'alice');
    const answer = await call(stack, browser, 'reports');
    expect(answer.status).toBe(200);
    expect(String(answer.body.result.data.traceparent)).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    // Longer than the SDK's batch delay (5 s): anything exported would have arrived.
    await new Promise((resolve) => setTimeout(resolve, 5500));
    expect(receiver.spans()).toEqual([]);
  }, 30_000);
});
