import { InjectionToken } from '@angular/core';

/** Where the BFF is: given to `provideBff` as `{ apiUrl }`, or read from a `config.json` at start-up (`{ configUrl }`). */
export interface BffConfig {
  /** Absolute http(s) URL of the API (the BFF), without a trailing slash. */
  readonly apiUrl: string;
}

/**
 * The API a missing `config.json` means: the development BFF (`BACK_URL` in the protocol's
 * `DEV_DEFAULTS`, written out: that object also holds development secrets, which have no
 * place in a browser bundle).
 */
export const DEFAULT_API_URL = 'http://localhost:3000';

/** The BFF the application talks to, once known (see `provideBff`). */
export const BFF_CONFIG = new InjectionToken<BffConfig>('BFF_CONFIG');

export type BffConfigResult = { readonly ok: true; readonly config: BffConfig } | { readonly ok: false; readonly problem: string };

/**
 * The application cannot start: its `config.json` (or the `apiUrl` given to `provideBff`)
 * is missing, unreadable or invalid. `bootstrapApplication` rejects with it; its message
 * says what is wrong in terms whoever deployed the application can act on.
 */
export class BffConfigError extends Error {
  readonly code = 'ERR_BFF_CONFIG';
  override readonly name = 'BffConfigError';
}

/**
 * Validates the content of `config.json` (or what was given to `provideBff`, named by
 * `source` in the problem). `apiUrl` must be an absolute http(s) URL with no credentials,
 * query or fragment; a trailing slash is dropped.
 *
 * @example
 * parseBffConfig({ apiUrl: 'https://api.example.com/' }) // { ok: true, config: { apiUrl: 'https://api.example.com' } }
 */
export function parseBffConfig(raw: unknown, source = 'config.json'): BffConfigResult {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, problem: `${source} must hold a JSON object such as {"apiUrl": "https://api.example.com"}.` };
  }
  const apiUrl: unknown = (raw as Record<string, unknown>)['apiUrl'];
  if (typeof apiUrl !== 'string') {
    return { ok: false, problem: `${source} has no "apiUrl" string.` };
  }
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    return { ok: false, problem: `"apiUrl" in ${source} is not an absolute URL: "${apiUrl}".` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, problem: `"apiUrl" in ${source} must start with https:// or http://, not "${url.protocol}".` };
  }
  if (url.username || url.password || url.search || url.hash) {
    return { ok: false, problem: `"apiUrl" in ${source} must not carry credentials, a query or a fragment.` };
  }
  return { ok: true, config: { apiUrl: url.href.replace(/\/+$/, '') } };
}

/**
 * Fetches and validates `config.json`. A missing file (404, or the HTML page a
 * single-page-app server answers for unknown paths) means the defaults.
 */
export async function loadBffConfig(url: string | URL, fetchImpl: typeof fetch = fetch): Promise<BffConfigResult> {
  let response: Response;
  try {
    // Never cached: a redeployed config.json must take effect on the next load.
    response = await fetchImpl(url, { cache: 'no-store', credentials: 'same-origin' });
  } catch {
    return { ok: false, problem: 'config.json could not be fetched.' };
  }
  if (response.status === 404) return { ok: true, config: { apiUrl: DEFAULT_API_URL } };
  if (!response.ok) return { ok: false, problem: `config.json could not be loaded (HTTP ${response.status}).` };
  const text = await response.text();
  if (response.headers.get('content-type')?.includes('text/html') && text.trimStart().startsWith('<')) {
    return { ok: true, config: { apiUrl: DEFAULT_API_URL } };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'config.json is not valid JSON.' };
  }
  return parseBffConfig(raw);
}
