import type { ChildProcess } from 'node:child_process';
import {
  freePort,
  startNginx,
  startProcess,
  startRedis,
  startSlapd,
  stopProcess,
  type Listener,
  type Nginx,
  type RedisServer,
  type Slapd,
} from '@bff/test-kit';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCertificates, type TestCertificates } from '../certs.js';
import type { ServeSpec } from './serve.js';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(here, '../../..');
export const CLIENT_DIST = join(REPO_ROOT, 'client/dist/client/browser');
export const NGINX_TEMPLATE = join(REPO_ROOT, 'deploy/nginx/bff.conf.template');

export type TopologyName =
  'same-site-http' | 'same-site-https' | 'same-origin-proxy' | 'cross-site' | 'npm-start-defaults' | 'two-instances' | 'serve' | 'ldap-roles' | 'fapi2';

/** What `npm run serve` runs: the production entry point. */
const MAIN = join(REPO_ROOT, 'server/dist/main.js');

export interface Topology {
  readonly name: TopologyName;
  readonly front: string;
  readonly api: string;
  readonly idp: string;
  /** Test certificates' SPKI for Chromium, when the topology uses TLS. */
  readonly trustSpki: readonly string[];
  readonly sessionCookie: string;
  /** nginx's access log (upstream address, method, path, status per request), when nginx is in front. */
  accessLog(): string;
  /** The API instances' ports, when several serve behind nginx. */
  readonly apiPorts: readonly number[];
  close(): Promise<void>;
}

const listener = async (scheme: 'http' | 'https', host: string, port?: number): Promise<Listener> => {
  const p = port ?? (await freePort());
  return { origin: `${scheme}://${host}:${p}`, port: p, tls: scheme === 'https' };
};

function waitForReady(child: ChildProcess, what: string): Promise<void> {
  return new Promise((resolveReady, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start:\n${output}`)), 40_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready\n')) {
        clearTimeout(timer);
        resolveReady();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}:\n${output}`));
    });
  });
}

/** Fills the shipped nginx example with this test's host names, ports and certificate. */
export function renderNginxConfig(values: Record<string, string>): string {
  return readFileSync(NGINX_TEMPLATE, 'utf8').replace(/\{\{(\w+)\}\}/g, (_m, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`nginx template variable ${key} has no value`);
    return value;
  });
}

/** The shipped nginx example's values for one origin at app.example.test:<port> in front of `upstream`. */
function proxyValues(port: number, upstream: string, certs: TestCertificates | undefined): Record<string, string> {
  return {
    SERVER_NAME: 'app.example.test',
    LISTEN: String(port),
    CERTIFICATE: certs?.certFile ?? '',
    CERTIFICATE_KEY: certs?.keyFile ?? '',
    WEB_ROOT: CLIENT_DIST,
    API_UPSTREAM: upstream,
    API_URL: `https://app.example.test:${port}`,
  };
}

/** Starts the IdP, API and front (or nginx) for one deployment topology. */
/** What a scenario changes of a topology: the development IdP's settings (e.g. short token lifetimes). */
export interface TopologyOptions {
  readonly devIdp?: ServeSpec['devIdp'];
}

export async function startTopology(name: TopologyName, options: TopologyOptions = {}): Promise<Topology> {
  if (!existsSync(join(CLIENT_DIST, 'index.html'))) throw new Error(`Build the client first (npm run build -w client): ${CLIENT_DIST} is missing.`);
  const certs: TestCertificates | undefined =
    name === 'same-site-http' || name === 'npm-start-defaults' || name === 'serve' || name === 'ldap-roles' || name === 'fapi2'
      ? undefined
      : generateCertificates(['app.example.test', 'api.example.test', 'idp.example.test', 'api.other.test']);
  const https = certs ? 'https' : 'http';
  let idp: Listener;
  let api: Listener;
  let front: (Listener & { apiUrl: string }) | undefined;
  let env: Record<string, string> = {};
  let nginxValues: Record<string, string> | undefined;
  let upstreams: readonly number[] = [];
  let redis: RedisServer | undefined;
  let production: { port: number; env: Record<string, string> } | undefined;
  let slapd: Slapd | undefined;
  let devIdp: ServeSpec['devIdp'];
  let fapi2 = false;

  switch (name) {
    case 'npm-start-defaults':
      idp = await listener('http', 'localhost', 4000);
      api = await listener('http', 'localhost', 3000);
      front = { ...(await listener('http', 'localhost', 4200)), apiUrl: 'http://localhost:3000' };
      // npm start's defaults, spelled out: the test kit's own default front is another origin.
      env = { OIDC_ISSUER: idp.origin, BACK_URL: api.origin, FRONT_URL: front.origin };
      break;
    case 'same-site-http':
    case 'same-site-https': {
      idp = await listener(https, 'idp.example.test');
      api = await listener(https, 'api.example.test');
      front = { ...(await listener(https, 'app.example.test')), apiUrl: api.origin };
      env = { OIDC_ISSUER: idp.origin, BACK_URL: api.origin, FRONT_URL: front.origin };
      break;
    }
    case 'cross-site': {
      idp = await listener('https', 'idp.example.test');
      api = await listener('https', 'api.other.test');
      front = { ...(await listener('https', 'app.example.test')), apiUrl: api.origin };
      env = { OIDC_ISSUER: idp.origin, BACK_URL: api.origin, FRONT_URL: front.origin };
      break;
    }
    case 'two-instances': {
      // Two API instances on one Redis behind nginx round-robin, one origin.
      redis = await startRedis();
      idp = await listener('https', 'idp.example.test');
      api = { ...(await listener('http', '127.0.0.1')) };
      const second = await freePort();
      upstreams = [api.port, second];
      const proxyPort = await freePort();
      const origin = `https://app.example.test:${proxyPort}`;
      env = { OIDC_ISSUER: idp.origin, BACK_URL: origin, FRONT_URL: origin, TRUST_PROXY: 'loopback', REDIS_URL: redis.url };
      nginxValues = proxyValues(proxyPort, 'bff_api', certs);
      break;
    }
    case 'fapi2': {
      // The dev IdP enforces FAPI 2.0 (PAR, private_key_jwt, DPoP, ES256/PS256, RFC 9207 iss).
      idp = await listener('http', 'idp.example.test');
      api = await listener('http', 'api.example.test');
      front = { ...(await listener('http', 'app.example.test')), apiUrl: api.origin };
      env = { OIDC_ISSUER: idp.origin, BACK_URL: api.origin, FRONT_URL: front.origin };
      fapi2 = true;
      break;
    }
    case 'ldap-roles': {
      // The IdP sends no groups; roles come from the directory (nested groups included).
      slapd = await startSlapd();
      idp = await listener('http', 'idp.example.test');
      api = await listener('http', 'api.example.test');
      front = { ...(await listener('http', 'app.example.test')), apiUrl: api.origin };
      devIdp = { groups: 'none' };
      env = {
        OIDC_ISSUER: idp.origin,
        BACK_URL: api.origin,
        FRONT_URL: front.origin,
        LDAP_URL: slapd.url,
        LDAP_BIND_DN: slapd.bindDn,
        LDAP_BIND_PASSWORD: slapd.bindPassword,
        LDAP_USER_BASE: `ou=people,${slapd.baseDn}`,
        LDAP_GROUP_BASE: `ou=groups,${slapd.baseDn}`,
        ROLE_MAP: JSON.stringify({ analyst: [`cn=analysts,ou=groups,${slapd.baseDn}`] }),
      };
      break;
    }
    case 'serve': {
      // `npm run serve`: the production entry serves the app and the API on one origin.
      idp = await listener('http', 'localhost');
      api = await listener('http', 'localhost');
      const port = await freePort();
      const origin = `http://localhost:${port}`;
      const secrets = {
        OIDC_CLIENT_ID: 'bff-serve',
        OIDC_CLIENT_SECRET: 'serve-test-client-secret-0123456789abcdef',
        OIDC_AUDIENCE: 'urn:bff:api',
        SESSION_SECRET: 'serve-test-session-secret-0123456789abcdef0123',
      };
      env = { OIDC_ISSUER: idp.origin, BACK_URL: origin, FRONT_URL: origin, ...secrets };
      production = { port, env: { ...env, NODE_ENV: 'production', PORT: String(port), WEB_ROOT: CLIENT_DIST } };
      break;
    }
    case 'same-origin-proxy': {
      idp = await listener('https', 'idp.example.test');
      api = { ...(await listener('http', '127.0.0.1')) };
      const proxyPort = await freePort();
      const origin = `https://app.example.test:${proxyPort}`;
      env = { OIDC_ISSUER: idp.origin, BACK_URL: origin, FRONT_URL: origin, TRUST_PROXY: 'loopback' };
      nginxValues = proxyValues(proxyPort, `127.0.0.1:${api.port}`, certs);
      break;
    }
  }

  const spec: ServeSpec = {
    idp,
    api: { ...api, tls: name !== 'same-origin-proxy' && api.tls },
    ...(front ? { front } : {}),
    env,
    ...(upstreams.length > 1 ? { moreApis: upstreams.slice(1) } : {}),
    ...(devIdp || options.devIdp ? { devIdp: { ...devIdp, ...options.devIdp } } : {}),
    ...(fapi2 ? { fapi2 } : {}),
    clientDist: CLIENT_DIST,
    ...(certs ? { cert: { certFile: certs.certFile, keyFile: certs.keyFile } } : {}),
  };
  const child = startProcess(process.execPath, ['--import', 'tsx', join(here, 'serve.ts'), JSON.stringify(spec)], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...(certs ? { NODE_EXTRA_CA_CERTS: certs.caFile } : {}) },
  });
  let nginx: Nginx | undefined;
  let served: ChildProcess | undefined;
  try {
    await waitForReady(child, `the ${name} back end`);
    const upstream = upstreams.length > 1 ? `upstream bff_api { ${upstreams.map((p) => `server 127.0.0.1:${p};`).join(' ')} }\n` : '';
    nginx = nginxValues ? await startNginx(upstream + renderNginxConfig(nginxValues)) : undefined;
    if (production) served = await startProduction(production.port, production.env);
  } catch (error) {
    await Promise.all([stopProcess(child), nginx?.stop(), redis?.stop(), slapd?.stop()]);
    if (certs) rmSync(certs.dir, { recursive: true, force: true });
    throw error;
  }

  const frontOrigin = front?.origin ?? env['FRONT_URL'] ?? '';
  const apiOrigin = nginxValues || production ? frontOrigin : api.origin;
  return {
    name,
    front: frontOrigin,
    api: apiOrigin,
    idp: idp.origin,
    trustSpki: certs ? [certs.spki] : [],
    sessionCookie: apiOrigin.startsWith('https:') ? '__Host-bff_session' : 'bff_session',
    accessLog: () => nginx?.accessLog() ?? '',
    apiPorts: upstreams,
    close: async () => {
      await Promise.all([stopProcess(child), nginx?.stop(), served ? stopProcess(served) : undefined]);
      await Promise.all([redis?.stop(), slapd?.stop()]);
      if (certs) rmSync(certs.dir, { recursive: true, force: true });
    },
  };
}

/** Runs the production entry (`npm run serve` without the build step) and waits until it is ready. */
async function startProduction(port: number, env: Record<string, string>): Promise<ChildProcess> {
  if (!existsSync(MAIN)) throw new Error(`Build the server first (npm run build -w server): ${MAIN} is missing.`);
  const child = startProcess(process.execPath, [MAIN], { cwd: REPO_ROOT, env: { ...process.env, ...env } });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const started = Date.now();
  for (;;) {
    const ready = await fetch(`http://localhost:${port}/api/health`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) return child;
    if (child.exitCode !== null || Date.now() - started > 20_000) {
      await stopProcess(child);
      throw new Error(`the production server did not become ready:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
