import { CookieJar } from 'tough-cookie';

/** Raised when signing in through the IdP form does not yield a session cookie. */
export class SignInError extends Error {
  readonly code = 'SIGN_IN_FAILED';
}

const MAX_HOPS = 20;

/**
 * Signs in the way a browser does, through the development IdP's real login form:
 * start URL → IdP → form POST → consent → application callback. Returns the
 * `Cookie` header value holding the application's session cookie(s) only.
 *
 * @param start the application's login route, e.g. `http://localhost:3000/api/login`.
 * @param isSessionCookie picks the application's cookie(s) out of the jar (the IdP shares `localhost`).
 * @param stopAt an origin the browser would leave for (the front); the walk ends there.
 * @throws {SignInError} naming the step that failed.
 */
export async function signIn(
  start: string,
  credentials: { login: string; password: string },
  isSessionCookie: (name: string) => boolean,
  stopAt?: string,
): Promise<string> {
  const jar = new CookieJar();
  const request = async (url: string, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    const cookie = await jar.getCookieString(url);
    if (cookie) headers.set('cookie', cookie);
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const setCookie of response.headers.getSetCookie()) await jar.setCookie(setCookie, url, { ignoreError: true });
    return response;
  };
  const follow = async (url: string): Promise<{ url: string; response: Response | undefined }> => {
    let current = url;
    for (let hop = 0; hop < MAX_HOPS; hop++) {
      if (stopAt && current.startsWith(stopAt)) return { url: current, response: undefined };
      const response = await request(current);
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) return { url: current, response };
      await response.body?.cancel();
      current = new URL(location, current).href;
    }
    throw new SignInError(`too many redirects from ${url}`);
  };

  const form = await follow(start);
  const html = (await form.response?.text()) ?? '';
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new SignInError(`no login form at ${form.url} (status ${form.response?.status ?? 'none'})`);
  const posted = await request(new URL(action.replace(/&#47;/g, '/'), form.url).href, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(credentials).toString(),
  });
  const location = posted.headers.get('location');
  await posted.body?.cancel();
  if (!location) throw new SignInError(`login form refused ${credentials.login} (status ${posted.status})`);
  const landed = await follow(new URL(location, form.url).href);
  await landed.response?.body?.cancel();

  const cookies = (await jar.getCookies(start)).filter((c) => isSessionCookie(c.key));
  if (cookies.length === 0) throw new SignInError(`no session cookie after signing in (landed on ${landed.url})`);
  return cookies.map((c) => `${c.key}=${c.value}`).join('; ');
}
