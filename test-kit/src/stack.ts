import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JWK } from 'jose';
import { generateDevSigningKey, writeDevClientKeys, type DevClientKeyFiles, type DevIdpClient, type DevIdpOptions } from '@bff/dev-idp';
import { DEV_DEFAULTS } from '@oidc-bff/protocol';
import { createReportsApi, DEV_REPORTS, type ReportsApi } from '@bff/dev-api';
import { createTestIdp } from './idp.js';
import { captureLogs, type CapturedLogs } from './logs.js';

/** The front origin the test stack allows; nothing listens there, tests stop at it. */
export const FRONT = 'http://localhost:4299';

type Env = Record<string, string | undefined>;

/** What the kit needs of an API package (the app's `@bff/server`, or a BFF test app), passed in so that the kit depends on neither. */
export interface ServerModule<C, A> {
  loadConfig(env: Env): C;
  createApi(config: C, logger: never, options: { retryDelayMs?: number; jwksCooldownMs?: number; instance?: string }): Promise<A>;
  createLogger(options: { destination: { write(line: string): void }; level?: string }): unknown;
  idpRegistration(config: C): DevIdpClient;
}

/** The part of an API the kit drives. */
export interface ApiHandle {
  readonly handler: RequestListener;
  start(): void;
  close(): Promise<void>;
}

export interface Stack<A> {
  readonly api: A;
  readonly apiUrl: string;
  readonly idpUrl: string;
  readonly signingKey: JWK;
  /** With `fapi2`: the API's key files (client authentication and DPoP), in a temporary folder removed by `close()`. */
  readonly keyFiles: DevClientKeyFiles | undefined;
  readonly logs: string[];
  /** Requests the IdP received, by path. */
  readonly idpRequests: string[];
  /** Lets the IdP answer, for stacks started with `idp: false` (an IdP that accepts connections but never answers). */
  attachIdp(): void;
  /** Starts another API instance on the same IdP, configuration and shared state (e.g. Redis): `instances` behind a load balancer. */
  addInstance(options?: { env?: Env; port?: number }): Promise<{ api: A; apiUrl: string; logs: string[]; close(): Promise<void> }>;
  /** With `reports`: the dev reports API. */
  readonly reports: StackReports | undefined;
  close(): Promise<void>;
}

export interface StackOptions {
  readonly env?: Env;
  /** Access-token lifetime at the IdP, in seconds. */
  readonly accessTokenTtl?: number;
  /** false: the IdP accepts connections but does not answer until `attachIdp()`. */
  readonly idp?: boolean;
  readonly jwksCooldownMs?: number;
  /** More settings of the development IdP, e.g. `{ groups: 'none', accessTokenFormat: 'opaque' }` to play an enterprise IdP. */
  readonly devIdp?: Partial<Omit<DevIdpOptions, 'issuer' | 'clients' | 'audience' | 'signingKey'>>;
  /**
   * Fixed listeners instead of free ports on 127.0.0.1 (browser tests' host names, TLS).
   * `origin` is the public URL; `port` where it listens.
   */
  readonly listen?: {
    readonly idp?: Listener;
    readonly api?: Listener;
    readonly tls?: { readonly cert: Buffer; readonly key: Buffer };
  };
  /** A log level for the API's logger (browser tests keep only warnings). */
  readonly logLevel?: string;
  /**
   * The FAPI 2.0 Security Profile on both sides: the IdP enforces it (`DEV_IDP_PROFILE=fapi2`,
   * an ES256 signing key) and the API runs with `OIDC_PROFILE=fapi2` and fresh ES256 keys
   * (`OIDC_CLIENT_PRIVATE_KEY`, `OIDC_DPOP_PRIVATE_KEY`) unless `env` sets them.
   */
  readonly fapi2?: boolean;
  /** The IdP's issuer identifier ends with a slash (`http://localhost:<port>/`), as some enterprise SSOs' do; `idpUrl` stays the origin. */
  readonly issuerTrailingSlash?: boolean;
  /**
   * The dev reports API on a free port, configured as the downstream API `reports`
   * (`DOWNSTREAM_APIS`) with this way of obtaining its token; `env` may set DOWNSTREAM_APIS itself.
   */
  readonly reports?: 'exchange' | 'resource' | 'session';
}

/** The dev reports API of a stack started with `reports`. */
export interface StackReports {
  readonly url: string;
  readonly api: ReportsApi;
  /** Stops answering (connections refused) until {@link start}: the API down. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** A fixed listener: its public origin and the loopback port it listens on. */
export interface Listener {
  readonly origin: string;
  readonly port: number;
  readonly tls: boolean;
}

/**
 * Listens on a loopback port. A free port is taken on the dual-stack wildcard, so that
 * nothing else can hold the same port on ::1 (where `localhost` may resolve first) while
 * tests of other packages run beside these; fixed ports stay on 127.0.0.1.
 */
async function listen(server: Server, port = 0): Promise<number> {
  const attempt = (host: string) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  if (port === 0) {
    try {
      await attempt('::');
    } catch {
      await attempt('127.0.0.1'); // no IPv6 on this machine
    }
  } else {
    await attempt('127.0.0.1');
  }
  return (server.address() as AddressInfo).port;
}

/** The reports API on a free port, and the DOWNSTREAM_APIS that names it `reports`. */
async function startReports(issuer: string, token: NonNullable<StackOptions['reports']>, fapi2: boolean): Promise<{ env: Env; handle: StackReports }> {
  const api = createReportsApi({
    // In the FAPI 2.0 profile the reports API takes DPoP-bound tokens only, each with its proof.
    requireBoundTokens: fapi2,
    issuer,
    audience: token === 'session' ? DEV_DEFAULTS.OIDC_AUDIENCE : DEV_REPORTS.audience,
    scope: token === 'session' ? 'api' : DEV_REPORTS.scope,
  });
  let server = createHttpServer(api.handler);
  const port = await listen(server);
  const url = `http://localhost:${port}`;
  let running = true;
  const settings =
    token === 'session'
      ? { baseUrl: url, token }
      : {
          baseUrl: url,
          token,
          ...(token === 'resource' ? { resource: DEV_REPORTS.audience } : { audience: DEV_REPORTS.audience }),
          scopes: [DEV_REPORTS.scope],
        };
  return {
    env: { DOWNSTREAM_APIS: JSON.stringify({ reports: settings }) },
    handle: {
      url,
      api,
      stop: async () => {
        if (!running) return;
        running = false;
        await closeServer(server);
      },
      start: async () => {
        if (running) return;
        server = createHttpServer(api.handler);
        await listen(server, port);
        running = true;
      },
    },
  };
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/**
 * Starts the real development IdP and the API on free loopback ports, wired to each
 * other over real HTTP. The IdP registers exactly what the API's configuration asks
 * for (`idpRegistration`), as an administrator would.
 *
 * @example
 * import * as server from '@bff/server';
 * const stack = await startStack(server, { env: { FRONT_URL: FRONT } });
 */
export async function startStack<C extends { oidc: { audience: string } }, A extends ApiHandle>(
  server: ServerModule<C, A>,
  options: StackOptions = {},
): Promise<Stack<A>> {
  const fixed = options.listen ?? {};
  const tls = fixed.tls;
  const createServer = (listener: Listener | undefined) => (listener?.tls && tls ? createHttpsServer(tls) : createHttpServer());
  const idpServer = createServer(fixed.idp);
  const apiServer = createServer(fixed.api);
  const idpPort = await listen(idpServer, fixed.idp?.port);
  const apiPort = await listen(apiServer, fixed.api?.port);
  const idpUrl = fixed.idp?.origin ?? `http://localhost:${idpPort}`;
  const apiUrl = fixed.api?.origin ?? `http://localhost:${apiPort}`;
  const keyDir = options.fapi2 ? await mkdtemp(join(tmpdir(), 'bff-fapi2-keys-')) : undefined;
  const keyFiles = keyDir ? writeDevClientKeys(keyDir) : undefined;
  const fapi2Env: Env = keyFiles ? { OIDC_PROFILE: 'fapi2', OIDC_CLIENT_PRIVATE_KEY: keyFiles.clientKey, OIDC_DPOP_PRIVATE_KEY: keyFiles.dpopKey } : {};
  const reports = options.reports ? await startReports(idpUrl, options.reports, options.fapi2 === true) : undefined;
  const issuer = options.issuerTrailingSlash ? `${idpUrl}/` : idpUrl;
  const baseEnv: Env = { OIDC_ISSUER: issuer, BACK_URL: apiUrl, FRONT_URL: FRONT, ...fapi2Env, ...reports?.env, ...options.env };
  const config = server.loadConfig(baseEnv);
  const signingKey = await generateDevSigningKey(options.fapi2 ? 'ES256' : 'RS256');
  const idp = await createTestIdp({
    ...options.devIdp,
    ...(options.fapi2 ? { profile: 'fapi2' } : {}),
    issuer,
    audience: config.oidc.audience,
    signingKey,
    registration: server.idpRegistration(config),
    ...(options.accessTokenTtl ? { accessTokenTtl: options.accessTokenTtl } : {}),
  } as Parameters<typeof createTestIdp>[0]);
  const idpRequests = idp.requests;
  const attachIdp = () => {
    idpServer.on('request', idp.handler);
  };
  if (options.idp !== false) attachIdp();

  const startApi = async (env: Env, port: Server, captured: CapturedLogs, instance: string) => {
    const logger = server.createLogger({ destination: captured.destination, ...(options.logLevel ? { level: options.logLevel } : {}) }) as never;
    const api = await server.createApi(server.loadConfig(env), logger, { retryDelayMs: 100, jwksCooldownMs: options.jwksCooldownMs ?? 30_000, instance });
    port.on('request', api.handler);
    api.start();
    return api;
  };
  const captured = captureLogs();
  const api = await startApi(baseEnv, apiServer, captured, 'a');
  const others: Array<() => Promise<void>> = [];

  return {
    api,
    apiUrl,
    idpUrl,
    signingKey,
    keyFiles,
    logs: captured.lines,
    idpRequests,
    attachIdp,
    reports: reports?.handle,
    addInstance: async ({ env, port: fixedPort } = {}) => {
      const instanceServer = createHttpServer();
      await listen(instanceServer, fixedPort);
      const instanceLogs = captureLogs();
      // Same public BACK_URL: behind a load balancer, every instance answers for it.
      const instance = await startApi({ ...baseEnv, ...env }, instanceServer, instanceLogs, String.fromCharCode(98 + others.length));
      const port = (instanceServer.address() as AddressInfo).port;
      let closed = false;
      const close = async () => {
        if (closed) return;
        closed = true;
        await instance.close();
        await closeServer(instanceServer);
      };
      others.push(close);
      return { api: instance, apiUrl: `http://localhost:${port}`, logs: instanceLogs.lines, close };
    },
    close: async () => {
      await Promise.all(others.map((close) => close()));
      await api.close();
      await Promise.all([closeServer(apiServer), closeServer(idpServer), reports?.handle.stop()]);
      if (keyDir) await rm(keyDir, { recursive: true, force: true });
    },
  };
}
