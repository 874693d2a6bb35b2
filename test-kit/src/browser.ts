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
/**
 * Whether `url` is at `place` (an origin, or an origin and a path): the same origin, and a
 * path under the place's. Not a string prefix: `http://localhost:42993/auth` is not at
 * `http://localhost:4299`, and a test's free port can begin with the front's digits.
 */
export function isAt(url: string, place: string): boolean {
  const here = new URL(url);
  const there = new URL(place);
  return here.origin === there.origin && here.pathname.startsWith(there.pathname);
}

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
      if (isAt(current, stopAt)) return { url: current, response: new Response(null) };
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

/** What {@link signInAt} answers on the IdP's one-time-code page (the second factor), when it shows one. */
export interface SecondFactorAnswer {
  /** The code to enter; default the demo users' `123456`. */
  readonly code?: string;
  /** Press "Cancel" instead (the IdP then answers `access_denied`). */
  readonly cancel?: boolean;
}

/**
 * Signs in through the real IdP pages, from any application's login URL: start → IdP
 * password page → form POST → (the one-time-code page, when the IdP asks for the second
 * factor) → back to the application. An IdP session that is only asked for more shows the
 * code page alone. Returns where the browser landed (the walk stops at `stopAt`, the
 * front, where nothing listens).
 * @throws {SignInError} naming the step that failed.
 */
export async function signInAt(
  start: string,
  browser: Browser,
  user: string,
  password = user,
  stopAt = FRONT,
  secondFactor: SecondFactorAnswer = {},
): Promise<string> {
  let page = await browser.follow(start, stopAt);
  // The pages to fill are the IdP's: once a form sends the browser elsewhere (back to the app,
  // which may be another origin than the front, as express-openid-connect's), the walk is over.
  const idpOrigin = new URL(page.url).origin;
  for (let step = 0; step < 3; step++) {
    if (isAt(page.url, stopAt)) return page.url;
    if (step > 0 && new URL(page.url).origin !== idpOrigin) {
      await page.response.body?.cancel();
      return page.url;
    }
    const html = await page.response.text();
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new SignInError(`no sign-in form at ${page.url} (status ${page.response.status})`);
    const codePage = /name="code"/.test(html);
    const fields: Record<string, string> = codePage
      ? secondFactor.cancel
        ? { action: 'cancel' }
        : { action: 'verify', code: secondFactor.code ?? '123456' }
      : { login: user, password };
    const posted = await browser.fetch(new URL(action.replace(/&#47;/g, '/'), page.url).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    const location = posted.headers.get('location');
    await posted.body?.cancel();
    if (!location) throw new SignInError(`the IdP refused ${user}${codePage ? "'s code" : ''} (status ${posted.status})`);
    page = await browser.follow(new URL(location, page.url).href, stopAt);
  }
  if (!isAt(page.url, stopAt)) throw new SignInError(`still at the IdP after three pages (${page.url})`);
  await page.response.body?.cancel();
  return page.url;
}

/**
 * Tries to sign in to our API through the real IdP form (`/api/login?returnTo=`). Returns
 * where the browser landed, an `auth_error` included: for tests of a sign-in that fails.
 */
export function attemptLogin(stack: ApiTarget, browser: Browser, user: string, password = user, returnTo?: string): Promise<string> {
  return signInAt(`${stack.apiUrl}${API_PATHS.login}${returnTo === undefined ? '' : `?returnTo=${encodeURIComponent(returnTo)}`}`, browser, user, password);
}

/**
 * Signs in to our API through the real IdP form (`/api/login?returnTo=`). Returns where the
 * browser landed.
 * @throws {SignInError} when it landed with an `auth_error` (the sign-in failed: the test
 * would otherwise go on without a session and fail later, far from the cause).
 */
export async function login(stack: ApiTarget, browser: Browser, user: string, password = user, returnTo?: string): Promise<string> {
  const landed = await attemptLogin(stack, browser, user, password, returnTo);
  const error = new URL(landed).searchParams.get('auth_error');
  if (error !== null) throw new SignInError(`the sign-in of ${user} ended in auth_error=${error} (${landed})`);
  return landed;
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
 * page's auto-submitting script would; when the IdP answers a front-channel logout page,
 * loads its iframes (without the application's cookies, as a browser does in a third-party
 * frame) and follows its way on. Returns where the browser landed.
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
  const location = confirmed.headers.get('location');
  if (location) return (await browser.follow(new URL(location, endSessionUrl).href)).url;
  // An IdP with front-channel logout answers a page that loads each client's logout URI in an iframe, then moves on.
  const framesPage = await confirmed.text();
  const attribute = (value: string) => value.replace(/&amp;/g, '&').replace(/&#38;/g, '&');
  for (const [, src = ''] of framesPage.matchAll(/<iframe[^>]* src="([^"]+)"/g)) {
    // A third-party iframe: the browser's SameSite=Lax cookies for the application are not sent.
    const frame = await fetch(new URL(attribute(src), endSessionUrl));
    await frame.body?.cancel();
  }
  const next = /<a id="continue" href="([^"]+)"/.exec(framesPage)?.[1];
  if (!next) throw new SignInError(`the IdP's sign-out ended on a page without a way on (status ${confirmed.status})`);
  return (await browser.follow(new URL(attribute(next), endSessionUrl).href)).url;
}
