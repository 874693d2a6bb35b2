import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevIdp, type DevIdp } from '@bff/dev-idp';
import { createReportsApi, DEV_REPORTS, type ReportsApi } from './index.js';

const CLIENT = 'bff-dev';

/** On the dual-stack wildcard, as the test kit listens: no other test's server can hold the same port on one family. */
async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, resolve));
  return `http://localhost:${(server.address() as AddressInfo).port}`;
}

describe('the dev reports API, with tokens the dev IdP issues', () => {
  let idp: DevIdp;
  let idpServer: Server;
  let apiServer: Server;
  let api: ReportsApi;
  let apiUrl: string;
  /** A token of the real dev IdP for this resource, as its token endpoint would issue it. */
  let issue: (target: string) => Promise<string>;

  beforeAll(async () => {
    idpServer = createServer();
    const issuer = await listen(idpServer);
    idp = await createDevIdp({
      issuer,
      audience: 'urn:bff:api',
      clients: [
        {
          clientId: CLIENT,
          clientSecret: 'secret',
          redirectUris: ['http://localhost:3000/api/callback'],
          postLogoutRedirectUris: [],
          downstream: [
            { target: DEV_REPORTS.audience, scopes: [DEV_REPORTS.scope] },
            { target: 'urn:bff:other', scopes: [DEV_REPORTS.scope] },
          ],
        },
      ],
    });
    idpServer.on('request', idp.handler);
    api = createReportsApi({ issuer, audience: DEV_REPORTS.audience, scope: DEV_REPORTS.scope });
    apiServer = createServer(api.handler);
    apiUrl = await listen(apiServer);
    issue = (target) => idp.issueDownstreamToken({ clientId: CLIENT, accountId: 'alice', target });
  });
  afterAll(async () => {
    apiServer?.close();
    idpServer?.close();
  });

  const get = (path: string, token?: string, headers: Record<string, string> = {}) =>
    fetch(`${apiUrl}${path}`, { headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } });

  it('answers /whoami from the verified token, with the names (never the values) of the headers it received', async () => {
    const token = await issue(DEV_REPORTS.audience);
    const response = await get('/whoami', token, { 'x-probe': 'secret-value' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { sub: string; aud: string; scope: string; headers: string[] };
    expect(body).toMatchObject({ sub: 'alice', aud: DEV_REPORTS.audience, scope: DEV_REPORTS.scope });
    expect(body.headers).toContain('x-probe');
    expect(JSON.stringify(body)).not.toContain('secret-value');
  });

  it('refuses no token, a token for another audience and a made-up one with 401 invalid_token', async () => {
    const other = await issue('urn:bff:other');
    for (const token of [undefined, other, 'not-a-token']) {
      const response = await get('/summaries', token);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    }
  });

  it('refuses tokens issued before a cut-off, as after a revocation', async () => {
    const token = await issue(DEV_REPORTS.audience);
    expect((await get('/summaries', token)).status).toBe(200);
    api.refuseTokensIssuedBefore(Math.floor(Date.now() / 1000) + 10);
    expect((await get('/summaries', token)).status).toBe(401);
    api.refuseTokensIssuedBefore(0);
  });

  it('serves the summaries, one summary, and a 404 for an unknown one', async () => {
    const token = await issue(DEV_REPORTS.audience);
    const list = (await (await get('/summaries', token)).json()) as { owner: string; summaries: unknown[] };
    expect(list.owner).toBe('alice');
    expect(list.summaries).toHaveLength(3);
    expect(((await (await get('/summaries/q3-cards', token)).json()) as { id: string }).id).toBe('q3-cards');
    expect((await get('/summaries/nope', token)).status).toBe(404);
  });
});
