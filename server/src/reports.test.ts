import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, call, login, startStack, type Stack } from '@bff/test-kit';
import type { Bff as Api } from '@oidc-bff/server';
import * as server from './index.js';

describe('reports.overview: the reports API, called for the user by token exchange, combined with the session', () => {
  let stack: Stack<Api>;
  beforeAll(async () => {
    stack = await startStack(server, { reports: 'exchange' });
  });
  afterAll(() => stack?.close());

  it("sums the reports API's summaries per currency for the signed-in user", async () => {
    const browser = new Browser();
    await login(stack, browser, 'bob');
    const { status, body } = await call(stack, browser, 'reports.overview');
    expect(status).toBe(200);
    expect(body.result.data).toMatchObject({
      owner: 'bob',
      viewer: 'Bob Durand',
      reports: 3,
      totals: [{ currency: 'EUR', total: 1_284_000_000 + 932_500_000 + 211_750_000 }],
      largest: { id: 'q3-retail' },
    });
  });

  it('answers SERVICE_UNAVAILABLE downstream_unavailable while the reports API is down, and the session stays', async () => {
    const browser = new Browser();
    await login(stack, browser, 'alice');
    await stack.reports?.stop();
    try {
      const down = await call(stack, browser, 'reports.overview');
      expect(down.status).toBe(503);
      expect(down.body.error.data).toMatchObject({ code: 'SERVICE_UNAVAILABLE', reason: 'downstream_unavailable' });
      expect((await call(stack, browser, 'me')).status).toBe(200);
    } finally {
      await stack.reports?.start();
    }
    expect((await call(stack, browser, 'reports.overview')).status).toBe(200);
  });
});
