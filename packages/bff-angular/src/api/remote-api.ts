import { inject } from '@angular/core';
import { API_PATHS, CSRF_HEADER, CSRF_HEADER_VALUE, isAuthFailureReason, type AuthFailureReason } from '@oidc-bff/protocol';
import { BFF_CONFIG } from '../config/bff-config.js';
import { LoginFlow } from '../auth/login-flow.js';
import type { ApiErrorKind } from './api-error.js';

/** Anything that parses an unknown value into a `T` or throws: a zod schema, typically. */
export interface RemoteParser<T> {
  parse(input: unknown): T;
}

export interface RemoteCallOptions<T> {
  /** Added to the query string; `undefined` values are left out. */
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** Sent as JSON (POST, PUT, PATCH). */
  readonly body?: unknown;
  /** Checks the answer; its output is what the call returns. */
  readonly schema?: RemoteParser<T>;
  /** Ends the call (a page that is left). */
  readonly signal?: AbortSignal;
}

/**
 * A failed call through the remote-API proxy. `kind` is {@link ApiErrorKind}'s: `unavailable`
 * (the API or the BFF cannot be reached: never a sign-out), `forbidden` (signed in, but the API
 * does not let the user in: `downstream_unauthorized`), `unauthorized` (the session is over:
 * sign-in is already under way), `rate-limited`, `not-found`, `invalid` or `failed`.
 */
export class RemoteApiError extends Error {
  override readonly name = 'RemoteApiError';
  constructor(
    readonly kind: ApiErrorKind,
    /** The HTTP status, 0 when no answer arrived. */
    readonly status: number,
    /** The BFF's reason (`downstream_unavailable`, `no_session`, ...), when it gave one. */
    readonly reason: AuthFailureReason | undefined,
    /** The API's name, when the BFF named it. */
    readonly api: string | undefined,
  ) {
    super(`The call to the "${api ?? 'remote'}" API failed (${kind}).`);
  }
}

/** A downstream API reached through the BFF (`/api/remote/<name>/...`), as a page calls it. */
export interface RemoteApi {
  get<T = unknown>(path: string, options?: Omit<RemoteCallOptions<T>, 'body'>): Promise<T>;
  post<T = unknown>(path: string, options?: RemoteCallOptions<T>): Promise<T>;
  put<T = unknown>(path: string, options?: RemoteCallOptions<T>): Promise<T>;
  patch<T = unknown>(path: string, options?: RemoteCallOptions<T>): Promise<T>;
  delete<T = unknown>(path: string, options?: Omit<RemoteCallOptions<T>, 'body'>): Promise<T>;
}

/** A refusal that means the session is over (not a downstream API's refusal of the user). */
const SESSION_REASONS = new Set<AuthFailureReason>(['no_session', 'invalid_session', 'session_expired', 'invalid_token', 'refresh_failed']);

/**
 * A downstream API the BFF forwards to (its `DOWNSTREAM_APIS`), by name; call it where
 * `inject` works (a field initialiser, a constructor, a factory). Calls carry the session
 * cookie and the anti-forgery header, never a token (the BFF adds the user's token for that
 * API). A session that is over starts sign-in as a failed procedure call does (without
 * loops); an API that cannot be reached is an `unavailable` {@link RemoteApiError}, never a
 * sign-out. A function rather than a provider, so that it ships in the lazy chunk of the page
 * that uses it, not in every app's first download.
 *
 * @example
 * private readonly reports = injectRemoteApi('reports');
 * const summaries = await this.reports.get('/summaries', { schema: summariesSchema });
 */
export function injectRemoteApi(name: string): RemoteApi {
  const remote = new RemoteApiClient(inject(BFF_CONFIG).apiUrl, inject(LoginFlow));
  const call = <T>(method: string, path: string, options: RemoteCallOptions<T> = {}) => remote.call(name, method, path, options);
  return {
    get: (path, options) => call('GET', path, options),
    post: (path, options) => call('POST', path, options),
    put: (path, options) => call('PUT', path, options),
    patch: (path, options) => call('PATCH', path, options),
    delete: (path, options) => call('DELETE', path, options),
  };
}

class RemoteApiClient {
  constructor(
    private readonly apiUrl: string,
    private readonly flow: Pick<LoginFlow, 'signInOrShowSessionProblem' | 'stepUp'>,
  ) {}

  async call<T>(name: string, method: string, path: string, options: RemoteCallOptions<T>): Promise<T> {
    const url = new URL(`${this.apiUrl}${API_PATHS.remote}/${encodeURIComponent(name)}${path.startsWith('/') ? path : `/${path}`}`);
    for (const [key, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.append(key, String(value));
    const headers: Record<string, string> = { accept: 'application/json', [CSRF_HEADER]: CSRF_HEADER_VALUE };
    const init: RequestInit = { method, credentials: 'include', headers, ...(options.signal ? { signal: options.signal } : {}) };
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(options.body);
    }
    let response: Response;
    try {
      response = await fetch(url, init);
    } catch {
      throw new RemoteApiError('unavailable', 0, undefined, name);
    }
    const text = await response.text().catch(() => '');
    const body = parse(text);
    if (!response.ok) throw this.failure(response.status, body, name);
    if (!options.schema) return body as T;
    try {
      return options.schema.parse(body);
    } catch {
      throw new RemoteApiError('failed', response.status, undefined, name);
    }
  }

  private failure(status: number, body: unknown, name: string): RemoteApiError {
    const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    const reason = isAuthFailureReason(fields['error']) ? fields['error'] : undefined;
    const api = typeof fields['api'] === 'string' ? fields['api'] : name;
    if (status === 401 && reason === 'insufficient_user_authentication') {
      this.flow.stepUp(fields);
      return new RemoteApiError('unauthorized', status, reason, api);
    }
    if (status === 401 && (reason === undefined || SESSION_REASONS.has(reason))) {
      this.flow.signInOrShowSessionProblem(reason, { autoLogin: true });
      return new RemoteApiError('unauthorized', status, reason, api);
    }
    if (status === 401 || status === 403)
      return new RemoteApiError(reason === 'csrf' || reason === 'origin_denied' ? 'failed' : 'forbidden', status, reason, api);
    if (status === 404) return new RemoteApiError('not-found', status, reason, api);
    if (status === 400 || status === 413 || status === 422) return new RemoteApiError('invalid', status, reason, api);
    if (status === 429) return new RemoteApiError('rate-limited', status, reason, api);
    if (status === 502 || status === 503 || status === 504) return new RemoteApiError('unavailable', status, reason, api);
    return new RemoteApiError('failed', status, reason, api);
  }
}

function parse(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
