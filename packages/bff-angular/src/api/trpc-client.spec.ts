import { API_PATHS, CSRF_HEADER, CSRF_HEADER_VALUE } from '@oidc-bff/protocol';
import type { ExampleRouter } from '../spec/example-router.js';
import { TESTING_API_URL as API_URL, fakeFetch } from './fake-bff-api.js';
import { createTrpcClient } from './trpc-client.js';

describe('createTrpcClient', () => {
  it('batches a tick of queries into one credentialed request carrying the anti-forgery header', async () => {
    const fetch = vi.fn(fakeFetch((path) => ({ status: 200, body: { result: { data: path === 'me' ? { ok: 'me' } : [] } } })));
    const trpc = createTrpcClient<ExampleRouter>({ apiUrl: API_URL, fetch });

    const [me, history] = await Promise.all([trpc.me.query(), trpc.chat.history.query({ limit: 5 })]);

    expect(me).toEqual({ ok: 'me' });
    expect(history).toEqual([]);
    expect(fetch).toHaveBeenCalledTimes(1);
    const [url, init] = fetch.mock.calls[0] ?? [];
    expect(String(url).startsWith(`${API_URL}${API_PATHS.trpc}/me,chat.history?batch=1`)).toBe(true);
    expect(init?.credentials).toBe('include');
    expect(new Headers(init?.headers).get(CSRF_HEADER)).toBe(CSRF_HEADER_VALUE);
  });

  it('sends mutations as POST with the same header and credentials', async () => {
    const fetch = vi.fn(fakeFetch(() => ({ status: 200, body: { result: { data: { id: '1' } } } })));
    const trpc = createTrpcClient<ExampleRouter>({ apiUrl: API_URL, fetch });

    await trpc.chat.send.mutate({ text: 'hello' });

    const init = fetch.mock.calls[0]?.[1];
    expect(init?.method).toBe('POST');
    expect(init?.credentials).toBe('include');
    expect(new Headers(init?.headers).get(CSRF_HEADER)).toBe(CSRF_HEADER_VALUE);
  });
});
