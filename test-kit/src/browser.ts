import { CookieJar } from 'tough-cookie';
import { API_PATHS, CSRF_HEADER, CSRF_HEADER_VALUE } from '@oidc-bff/protocol';
import { FRONT } from './stack.js';

/** Where the API answers. */
export interface ApiTarget {
  readonly apiUrl: string;
}

/** Raised when signing in through the IdP form does not reach the application. */
export class SignInError extends Error {
  readonly code = 'SIGN_IN_FAILED';
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
      await response.body?.cancel();
      current = new URL(location, current).href;
    }
    throw new SignInError(`too many redirects from ${url}`);
  }

  async cookie(url: string, name: string): Promise<string | undefined> {
    const cookies = await this.jar.getCookies(url);
    return cookies.find((c) => c.key === name)?.value;
  }
}

/**
 * Signs in through the real IdP form, from any application's login URL: start → IdP
 * login page → form POST → back to the application. Returns where the browser landed
 * (the walk stops at `stopAt`, the front, where nothing listens).
 * @throws {SignInError} naming the step that failed.
 */
export async function signInAt(start: string, browser: Browser, user: string, password = user, stopAt = FRONT): Promise<string> {
  const form = await browser.follow(start, stopAt);
  const html = await form.response.text();
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new SignInError(`no login form at ${form.url} (status ${form.response.status})`);
  const posted = await browser.fetch(new URL(action.replace(/&#47;/g, '/'), form.url).href, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ login: user, password }).toString(),
  });
  const location = posted.headers.get('location');
  await posted.body?.cancel();
  if (!location) throw new SignInError(`the IdP refused ${user} (status ${posted.status})`);
  const landed = await browser.follow(new URL(location, form.url).href, stopAt);
  await landed.response.body?.cancel();
  return landed.url;
}

/** Signs in to our API through the real IdP form (`/api/login?returnTo=`). Returns where the browser landed. */
export function login(stack: ApiTarget, browser: Browser, user: string, password = user, returnTo?: string): Promise<string> {
  return signInAt(`${stack.apiUrl}${API_PATHS.login}${returnTo === undefined ? '' : `?returnTo=${encodeURIComponent(returnTo)}`}`, browser, user, password);
}

/** Calls a tRPC procedure over HTTP the way the client does. */
export async function call(
  stack: ApiTarget,
  browser: Browser,
  path: string,
  options: { input?: unknown; mutation?: boolean; headers?: Record<string, string> } = {},
  // The parsed body is what tests assert on, field by field; typing it would only move the casts there.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): Promise<{ status: number; headers: Headers; body: any; text: string }> {
  const url = new URL(`${stack.apiUrl}${API_PATHS.trpc}/${path}`);
  const headers: Record<string, string> = { origin: FRONT, [CSRF_HEADER]: CSRF_HEADER_VALUE, ...options.headers };
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
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined, text };
}

/**
 * Signs out at the IdP itself: opens its end-session page and confirms it the way the
 * page's auto-submitting script would. Returns where the browser landed.
 */
export async function signOutAtIdp(browser: Browser, endSessionUrl: string): Promise<string> {
  const page = await browser.fetch(endSessionUrl);
  const html = await page.text();
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
  if (!action || !xsrf) throw new SignInError(`no logout form at ${endSessionUrl} (status ${page.status})`);
  const confirmed = await browser.fetch(new URL(action, endSessionUrl).href, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ xsrf, logout: 'yes' }).toString(),
  });
  return (await browser.follow(new URL(confirmed.headers.get('location') ?? '', endSessionUrl).href)).url;
}
