import { freePort, startRedis } from '@bff/test-kit';
import { loadConfig, type Env } from '@bff/server';
import { ChildServer } from './child-server.js';
import type { IdpCounts, IdpServerOptions } from './servers/idp.js';
import type { EocServerOptions } from './servers/eoc.js';
import type { ReportsServerOptions } from './servers/reports.js';
import type { OtlpReceiverServerOptions } from './servers/otlp-receiver.js';
import { DEV_REPORTS } from '@bff/dev-api';

/** The front origin every request claims to come from; nothing listens there. */
export const FRONT = 'http://localhost:4399';

/** A demo user of the development IdP, member of `analysts` (needed by `analytics`). */
export const USER = { login: 'alice', password: 'alice' } as const;

/** Bench-only secrets: the API refuses its published development defaults under NODE_ENV=production. */
const API_SECRETS = {
  OIDC_CLIENT_ID: 'bff-bench',
  OIDC_CLIENT_SECRET: 'bench-only-client-secret-0123456789abcdef',
  SESSION_SECRET: 'bench-only-session-secret-0123456789abcdef0123456789',
} as const;

/** The identity provider, shared by every server of a bench run, and what servers need to reach it. */
export interface BenchStack {
  readonly idpUrl: string;
  /** Every API child listens here (one at a time), because the IdP only redirects to registered URIs. */
  readonly apiPort: number;
  readonly apiEnv: Env;
  readonly apiCookieName: string;
  /** A real redis-server for the servers that keep sessions in Redis. */
  readonly redisUrl: string;
  readonly eoc: EocServerOptions;
  /** The dev reports API the remote-proxy runs forward to (`DOWNSTREAM_APIS` of the API), and a token for it. */
  readonly reports: { readonly url: string; readonly issuer: string; token(): Promise<string> };
  /** The OTLP/HTTP receiver (test kit) the observed API variant exports its spans to: its base URL. */
  readonly otlpUrl: string;
  /** Spans the receiver took so far. */
  otlpSpans(): Promise<number>;
  /** Requests the IdP received so far, by path. */
  idpRequests(): Promise<Readonly<Record<string, number>>>;
  close(): Promise<void>;
}

/** Starts the development IdP in its own child, with our API and express-openid-connect registered as clients. */
export async function startBenchStack(): Promise<BenchStack> {
  const [idpPort, apiPort, eocPort, reportsPort, otlpPort] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
  const idpUrl = `http://localhost:${idpPort}`;
  const reportsUrl = `http://localhost:${reportsPort}`;
  const apiEnv: Env = {
    NODE_ENV: 'production',
    OIDC_ISSUER: idpUrl,
    OIDC_AUDIENCE: 'urn:bff:api',
    FRONT_URL: FRONT,
    BACK_URL: `http://localhost:${apiPort}`,
    ...API_SECRETS,
    // Load tests send thousands of calls a second from one session: the per-session limits are off here, explicitly.
    RATE_LIMIT_CALLS_PER_MINUTE: '0',
    RATE_LIMIT_MUTATIONS_PER_MINUTE: '0',
    DOWNSTREAM_APIS: JSON.stringify({ reports: { baseUrl: reportsUrl, token: 'exchange', audience: DEV_REPORTS.audience, scopes: [DEV_REPORTS.scope] } }),
  };
  const config = loadConfig(apiEnv);
  const eoc: EocServerOptions = {
    port: eocPort,
    baseUrl: `http://localhost:${eocPort}`,
    issuer: idpUrl,
    clientId: 'bench-express-openid-connect',
    clientSecret: 'bench-only-eoc-client-secret-0123456789abcdef',
    secret: 'bench-only-eoc-cookie-secret-0123456789abcdef0123456789',
  };
  const idpOptions: IdpServerOptions = {
    port: idpPort,
    issuer: idpUrl,
    audience: config.oidc.audience,
    apiEnv,
    otherClients: [
      { clientId: eoc.clientId, clientSecret: eoc.clientSecret, redirectUris: [`${eoc.baseUrl}/callback`], postLogoutRedirectUris: [`${eoc.baseUrl}/`] },
    ],
  };
  const idp = await ChildServer.start('dev IdP', 'servers/idp.ts', idpOptions);
  const redis = await startRedis();
  const reports = await ChildServer.start('reports API', 'servers/reports.ts', { port: reportsPort, issuer: idpUrl } satisfies ReportsServerOptions, {
    env: { NODE_ENV: 'production' },
  });
  const otlp = await ChildServer.start('OTLP receiver', 'servers/otlp-receiver.ts', { port: otlpPort } satisfies OtlpReceiverServerOptions, {
    env: { NODE_ENV: 'production' },
  });
  const reportsToken = async () => (await idp.request<{ token: string }>('reportsToken')).token;
  // Its one JWKS fetch happens now, not inside the first measured run (which counts the API's fetches).
  const warm = await fetch(`${reportsUrl}/summaries`, { headers: { authorization: `Bearer ${await reportsToken()}` } });
  if (warm.status !== 200) throw new Error(`the reports API answered ${warm.status} to a valid token`);
  return {
    idpUrl,
    apiPort,
    apiEnv,
    apiCookieName: config.cookie.name,
    eoc,
    redisUrl: redis.url,
    reports: { url: reportsUrl, issuer: idpUrl, token: reportsToken },
    otlpUrl: `http://127.0.0.1:${otlpPort}`,
    otlpSpans: async () => (await otlp.request<{ otlpSpans: number }>('notes')).otlpSpans,
    idpRequests: async () => (await idp.request<IdpCounts>('counts')).byPath,
    close: async () => {
      await otlp.stop();
      await idp.stop();
      await reports.stop();
      await redis.stop();
    },
  };
}
