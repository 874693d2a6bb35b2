import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';
import { CookieJar } from 'tough-cookie';
import { loadConfig, type Env } from '../config.js';
import { createApi, type Api } from '../main.js';
import { clientForApi, createDevIdp, generateDevSigningKey } from '../dev-idp/provider.js';
import { createMemoryLogger } from '../log.js';

/** The front origin the test stack allows; nothing listens there, tests stop at it. */
export const FRONT = 'http://localhost:4299';

export interface Stack {
  readonly api: Api;
  readonly apiUrl: string;
  readonly idpUrl: string;
  readonly signingKey: JWK;
  readonly logs: string[];
  /** Requests the IdP received, by path. */
  readonly idpRequests: string[];
  /** Lets the IdP answer, for stacks started with `idp: false` (an IdP that accepts connections but never answers). */
  attachIdp(): void;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/**
 * Starts the real development IdP and the API on free loopback ports, wired to
 * each other over real HTTP.
 */
export async function startStack(options: { env?: Env; accessTokenTtl?: number; idp?: boolean; jwksCooldownMs?: number } = {}): Promise<Stack> {
  const idpServer = createServer();
  const apiServer = createServer();
  const idpPort = await listen(idpServer);
  const apiPort = await listen(apiServer);
  const idpUrl = `http://localhost:${idpPort}`;
  const apiUrl = `http://localhost:${apiPort}`;
  const config = loadConfig({ OIDC_ISSUER: idpUrl, BACK_URL: apiUrl, FRONT_URL: FRONT, ...options.env });
  const signingKey = await generateDevSigningKey();
  const idpRequests: string[] = [];
  const idp = await createDevIdp({
    issuer: idpUrl,
    audience: config.oidc.audience,
    signingKey,
    clients: [clientForApi(config)],
    ...(options.accessTokenTtl ? { accessTokenTtl: options.accessTokenTtl } : {}),
  });
  const attachIdp = () => {
    idpServer.on('request', (req: IncomingMessage, res) => {
      idpRequests.push(new URL(req.url ?? '/', idpUrl).pathname);
      idp.handler(req, res);
    });
  };
  if (options.idp !== false) attachIdp();
  const logger = createMemoryLogger();
  const api = createApi(config, logger, { retryDelayMs: 100, jwksCooldownMs: options.jwksCooldownMs ?? 30_000 });
  apiServer.on('request', api.app);
  api.start();
  return {
    api,
    apiUrl,
    idpUrl,
    signingKey,
    logs: logger.lines,
    idpRequests,
    attachIdp,
    close: async () => {
      api.stop();
      await Promise.all([closeServer(apiServer), closeServer(idpServer)]);
    },
  };
}

/** A cookie-keeping HTTP client that follows redirects by hand, like a browser would. */
export class Browser {
  readonly jar = new CookieJar();

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookie = await this.jar.getCookieString(url);
    if (cookie) headers.set('cookie', cookie);
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const setCookie of response.headers.getSetCookie()) await this.jar.setCookie(setCookie, url, { ignoreError: true });
    return response;
  }

  /** Follows redirects until a response that is not one, or one that leaves for `stopAt`. */
  async follow(url: string, stopAt = FRONT): Promise<{ url: string; response: Response }> {
    let current = url;
    for (let hop = 0; hop < 20; hop++) {
      if (current.startsWith(stopAt)) return { url: current, response: new Response(null) };
      const response = await this.fetch(current);
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) return { url: current, response };
      current = new URL(location, current).href;
    }
    throw new Error('too many redirects');
  }

  async cookie(url: string, name: string): Promise<string | undefined> {
    const cookies = await this.jar.getCookies(url);
    return cookies.find((c) => c.key === name)?.value;
  }
}

/**
 * Signs in through the real IdP form: `/api/login` → IdP login page → callback.
 * Returns where the browser finally landed.
 */
export async function login(stack: Stack, browser: Browser, user: string, password = user, returnTo?: string): Promise<string> {
  const start = `${stack.apiUrl}/api/login${returnTo === undefined ? '' : `?returnTo=${encodeURIComponent(returnTo)}`}`;
  const form = await browser.follow(start);
  const html = await form.response.text();
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error(`no login form at ${form.url}`);
  const posted = await browser.fetch(new URL(action.replace(/&#47;/g, '/'), form.url).href, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ login: user, password }).toString(),
  });
  const location = posted.headers.get('location');
  if (!location) throw new Error(`login refused (${posted.status})`);
  return (await browser.follow(new URL(location, form.url).href)).url;
}

/** Calls a tRPC procedure over HTTP the way the client does. */
export async function call(
  stack: Stack,
  browser: Browser,
  path: string,
  options: { input?: unknown; mutation?: boolean; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any; text: string }> {
  const url = new URL(`${stack.apiUrl}/api/trpc/${path}`);
  const headers: Record<string, string> = { origin: FRONT, 'x-csrf': '1', ...options.headers };
  let response: Response;
  if (options.mutation) {
    response = await browser.fetch(url.href, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(options.input ?? null),
    });
  } else {
    if (options.input !== undefined) url.searchParams.set('input', JSON.stringify(options.input));
    response = await browser.fetch(url.href, { headers });
  }
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, text };
}
