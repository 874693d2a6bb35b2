import { DEFAULT_API_URL, loadBffConfig, parseBffConfig } from './bff-config.js';

function respond(body: string, init: ResponseInit = {}): typeof fetch {
  return vi.fn(async () => new Response(body, init));
}

describe('parseBffConfig', () => {
  it('accepts an absolute http(s) URL and drops a trailing slash', () => {
    expect(parseBffConfig({ apiUrl: 'https://api.example.com/' })).toEqual({ ok: true, config: { apiUrl: 'https://api.example.com' } });
    expect(parseBffConfig({ apiUrl: 'http://localhost:3000' })).toEqual({ ok: true, config: { apiUrl: 'http://localhost:3000' } });
    expect(parseBffConfig({ apiUrl: 'https://example.com/bff/' })).toEqual({ ok: true, config: { apiUrl: 'https://example.com/bff' } });
  });

  it.each([
    ['a relative URL', { apiUrl: '/api' }],
    ['another scheme', { apiUrl: 'ftp://api.example.com' }],
    ['a javascript: URL', { apiUrl: 'javascript:alert(1)' }],
    ['credentials', { apiUrl: 'https://user:pw@api.example.com' }],
    ['a query', { apiUrl: 'https://api.example.com?x=1' }],
    ['a missing apiUrl', { apiURL: 'https://api.example.com' }],
    ['a non-string apiUrl', { apiUrl: 3000 }],
    ['an array', ['https://api.example.com']],
    ['null', null],
  ])('refuses %s', (_case, raw) => {
    expect(parseBffConfig(raw).ok).toBe(false);
  });
});

describe('loadBffConfig', () => {
  it('reads config.json without the HTTP cache', async () => {
    const fetchImpl = respond('{"apiUrl":"https://api.example.com"}', { headers: { 'content-type': 'application/json' } });
    await expect(loadBffConfig('/config.json', fetchImpl)).resolves.toEqual({ ok: true, config: { apiUrl: 'https://api.example.com' } });
    expect(fetchImpl).toHaveBeenCalledWith('/config.json', expect.objectContaining({ cache: 'no-store' }));
  });

  it('falls back to the default API URL when the file is missing', async () => {
    await expect(loadBffConfig('/config.json', respond('', { status: 404 }))).resolves.toEqual({
      ok: true,
      config: { apiUrl: DEFAULT_API_URL },
    });
  });

  it('treats the index.html a single-page-app server returns for unknown paths as a missing file', async () => {
    const fetchImpl = respond('<!doctype html><html></html>', { headers: { 'content-type': 'text/html' } });
    await expect(loadBffConfig('/config.json', fetchImpl)).resolves.toEqual({ ok: true, config: { apiUrl: DEFAULT_API_URL } });
  });

  it('reports invalid JSON, an invalid URL, a server error and a failed fetch', async () => {
    await expect(loadBffConfig('/config.json', respond('{apiUrl:'))).resolves.toMatchObject({ ok: false });
    await expect(loadBffConfig('/config.json', respond('{"apiUrl":"api.example.com"}'))).resolves.toMatchObject({ ok: false });
    await expect(loadBffConfig('/config.json', respond('', { status: 500 }))).resolves.toMatchObject({ ok: false });
    const failing: typeof fetch = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(loadBffConfig('/config.json', failing)).resolves.toMatchObject({ ok: false });
  });
});
