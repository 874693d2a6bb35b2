import { DownstreamUnauthorizedError, DownstreamUnavailableError } from '../errors.js';
import type { DownstreamApiConfig } from '../options/downstream.js';
import type { SessionData } from '../session/store.js';
import type { DownstreamTokens } from './tokens.js';

/** One request to a downstream API, before its token is added. */
export interface DownstreamRequest {
  readonly method: string;
  readonly url: URL;
  /** What the API is sent besides the token; never the browser's cookies or `Authorization`. */
  readonly headers: Headers;
  /** Buffered: it may be sent twice (once more after a renewed token). */
  readonly body?: Uint8Array | undefined;
  /** Ends the call early (the browser left, the BFF shuts down). */
  readonly signal?: AbortSignal | undefined;
}

/** The API's answer, and how to stop waiting for its body. */
export interface DownstreamAnswer {
  readonly response: Response;
  /** Clears the timeout once the caller bounds the body itself (a stream). */
  readonly settle: () => void;
}

/**
 * Sends `request` to `api` with the user's token for it: `redirect: 'manual'`, so a redirect
 * is answered, never followed (the token goes to the API's origin only), and bounded by the
 * API's timeout until the answer's headers and, unless `settle` is called, its body. On a 401
 * the token is renewed once and the request sent once more.
 *
 * @throws {DownstreamUnavailableError} when the API cannot be reached or does not answer in time.
 * @throws {DownstreamUnauthorizedError} when the API refuses the renewed token too (status 401).
 */
export async function sendDownstream(
  tokens: DownstreamTokens,
  session: SessionData,
  api: DownstreamApiConfig,
  request: DownstreamRequest,
): Promise<DownstreamAnswer> {
  let token = await tokens.tokenFor(session, api);
  for (let attempt = 0; ; attempt++) {
    const answer = await sendOnce(api, request, token);
    if (answer.response.status !== 401) return answer;
    answer.settle();
    await answer.response.body?.cancel().catch(() => undefined);
    if (attempt > 0) throw new DownstreamUnauthorizedError(api.name, 'api_refused');
    token = await tokens.tokenFor(session, api, token);
  }
}

async function sendOnce(api: DownstreamApiConfig, request: DownstreamRequest, token: string): Promise<DownstreamAnswer> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DownstreamUnavailableError(api.name)), api.timeoutMs);
  const settle = () => clearTimeout(timer);
  const signal = request.signal ? AbortSignal.any([request.signal, controller.signal]) : controller.signal;
  const headers = new Headers(request.headers);
  headers.set('authorization', `Bearer ${token}`);
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers,
      ...(request.body && request.method !== 'GET' && request.method !== 'HEAD' ? { body: request.body } : {}),
      redirect: 'manual',
      signal,
    });
    return { response, settle };
  } catch (error) {
    settle();
    throw new DownstreamUnavailableError(api.name, { cause: error });
  }
}
