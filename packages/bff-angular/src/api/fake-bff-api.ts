import { API_PATHS, type AuthFailureReason, type MeOutput } from '@oidc-bff/protocol';
import { TRPCClientError } from '@trpc/client';
import type { AnyTRPCRouter } from '@trpc/server';

/** The API's URL in specs: what `provideBffTesting` configures unless told otherwise. */
export const TESTING_API_URL = 'https://api.example.test';

/** The tRPC codes the BFF answers with, as the fakes below send them. */
export type BffErrorCode = 'UNAUTHORIZED' | 'FORBIDDEN' | 'BAD_REQUEST' | 'NOT_FOUND' | 'TOO_MANY_REQUESTS' | 'INTERNAL_SERVER_ERROR' | 'SERVICE_UNAVAILABLE';

const HTTP_STATUS: Record<BffErrorCode, number> = {
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  BAD_REQUEST: 400,
  NOT_FOUND: 404,
  TOO_MANY_REQUESTS: 429,
  INTERNAL_SERVER_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
};

/** The sign-in URL the application navigates to for `returnTo`. */
export function loginUrlFor(returnTo: string, apiUrl: string = TESTING_API_URL): string {
  return `${apiUrl}${API_PATHS.login}?returnTo=${encodeURIComponent(returnTo)}`;
}

/** What `me` answers for `user`: a session ending 2030-01-01T10:30Z, and a logout URL of the testing API. */
export function meFor(user: MeOutput['user']): MeOutput {
  return {
    user,
    session: { expiresAt: '2030-01-01T10:30:00.000Z', accessTokenExpiresAt: '2030-01-01T10:05:00.000Z' },
    logoutUrl: `${TESTING_API_URL}${API_PATHS.logout}?sid=sid-of-${user.sub}`,
  };
}

/** The error body the BFF sends for `code` (with `reason`), as one item of a (batch) response. */
export function errorEnvelope(code: BffErrorCode, path: string, reason?: AuthFailureReason) {
  return {
    error: {
      message: code,
      code: -32000,
      data: { code, httpStatus: HTTP_STATUS[code], path, ...(reason ? { reason } : {}) },
    },
  };
}

/**
 * What the client rejects with when the API answers `code`; `headers` are those of the
 * HTTP answer (e.g. `Retry-After`), which the client can read from the error.
 */
export function trpcError<TRouter extends AnyTRPCRouter = AnyTRPCRouter>(
  code: BffErrorCode,
  reason?: AuthFailureReason,
  headers?: Record<string, string>,
): TRPCClientError<TRouter> {
  const response = new Response(null, { status: HTTP_STATUS[code], ...(headers ? { headers } : {}) });
  return TRPCClientError.from<TRouter>(errorEnvelope(code, 'test', reason), { meta: { response } });
}

/** What the client rejects with when the request never reaches the API. */
export function networkError<TRouter extends AnyTRPCRouter = AnyTRPCRouter>(): TRPCClientError<TRouter> {
  return TRPCClientError.from<TRouter>(new TypeError('Failed to fetch'));
}

/** How the fake API answers one procedure (`path`, e.g. `chat.history`) of a request; `headers` go on the HTTP answer. */
export type Answer = (path: string) => { status: number; body: unknown; headers?: Record<string, string> };

/** The fake API's answer with `data` for each path (e.g. `ok({ me: ALICE, 'chat.history': [] })`). */
export function ok(data: Record<string, unknown>): Answer {
  return (path) => ({ status: 200, body: { result: { data: data[path] } } });
}

/** The fake API's refusal of any procedure with `code` and `reason`. */
export function failure(code: BffErrorCode, reason?: AuthFailureReason, headers?: Record<string, string>): Answer {
  return (path) => ({ status: HTTP_STATUS[code], body: errorEnvelope(code, path, reason), ...(headers ? { headers } : {}) });
}

/** A `fetch` that plays the BFF's tRPC endpoint, and the requests it was sent, oldest first. */
export interface FakeFetch {
  (input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  readonly requests: readonly { readonly url: URL; readonly init: RequestInit | undefined }[];
}

/**
 * A `fetch` that answers every procedure of a (batch) request with `answer`, for the real
 * client (`provideBffTesting({ fetch })`). `answer` is called at each request, so a spec can
 * change what the API says as time goes by.
 *
 * @example
 * const fetch = fakeFetch(ok({ me: meFor(user) }));
 * TestBed.configureTestingModule({ providers: [provideRouter([]), provideBffTesting({ fetch })] });
 */
export function fakeFetch(answer: Answer): FakeFetch {
  const requests: { url: URL; init: RequestInit | undefined }[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input));
    requests.push({ url, init });
    const answers = procedures(url).map(answer);
    const status = answers.every((a) => a.status === answers[0]?.status) ? (answers[0]?.status ?? 200) : 207;
    const headers = new Headers({ 'content-type': 'application/json', ...answers[0]?.headers });
    return new Response(JSON.stringify(answers.map((a) => a.body)), { status, headers });
  };
  return Object.assign(fetch, { requests });
}

/** The procedures of each request the fake API was sent, e.g. `[['me', 'chat.history'], ['me']]`. */
export function proceduresPerRequest(fetch: FakeFetch): string[][] {
  return fetch.requests.map(({ url }) => procedures(url));
}

function procedures(url: URL): string[] {
  return url.pathname.replace(`${API_PATHS.trpc}/`, '').split(',');
}
