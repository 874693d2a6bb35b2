import { describe, expect, it } from 'vitest';
import { runDifferential } from '@bff/test-kit';
import { loginBuckets } from '@bff/shared';
import { loginSeriesSchema } from '@bff/shared/schemas';
import * as server from './index.js';
import { appRouter } from './router.js';

/**
 * The app's every procedure answered by the machinery's lean path exactly as by tRPC's own
 * fetch adapter (an instance with TRPC_LEAN_PATH=false): status, headers that matter and
 * body, signed in (alice, an analyst; bob, not) and not, good and bad inputs, alone and in
 * batches. A new procedure is covered as soon as it is in the router (one with an input
 * must be given a good one here).
 */
describe("the app's procedures on the lean path", () => {
  it("are answered as tRPC's fetch adapter answers them", async () => {
    const report = await runDifferential(server, {
      router: appRouter,
      users: ['alice', 'bob'],
      good: {
        'sessions.revoke': [{ id: 'no-such-session' }],
        'chat.send': [{ text: 'the same to both' }, { text: '   ' }],
        'chat.history': [{ limit: 3 }, {}],
        'chat.onMessage': [{ lastEventId: null }],
      },
      stack: { reports: 'exchange' },
      // Analytics names the instance that answered and its own timings.
      masked: ['instance', 'p50Ms', 'p95Ms'],
      // Sign-ins per minute over the last hour: compared as the minutes that had any, since
      // the window moves by one when a minute ends between the two calls.
      normalized: { loginsPerMinute: (series) => loginBuckets(loginSeriesSchema.parse(series)).filter((bucket) => bucket.count > 0) },
    });
    expect(report.mismatches).toEqual([]);
    expect(report.servedLean).toBeGreaterThan(report.requests / 2);
    expect(report.adapterServedLean).toBe(0);
  }, 120_000);
});
