import { InjectionToken } from '@angular/core';

/** Deployment settings read from `/config.json` at start-up, so one build serves every environment. */
export interface AppConfig {
  /** Absolute http(s) URL of the API (the BFF), without a trailing slash. */
  readonly apiUrl: string;
}

export const DEFAULT_API_URL = 'http://localhost:3000';

export const APP_CONFIG = new InjectionToken<AppConfig>('APP_CONFIG');

export type AppConfigResult = { readonly ok: true; readonly config: AppConfig } | { readonly ok: false; readonly problem: string };

/**
 * Validates the content of `config.json`. `apiUrl` must be an absolute http(s) URL with
 * no credentials, query or fragment; a trailing slash is dropped.
 *
 * @example
 * parseAppConfig({ apiUrl: 'https://api.example.com/' }) // { ok: true, config: { apiUrl: 'https://api.example.com' } }
 */
export function parseAppConfig(raw: unknown): AppConfigResult {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, problem: 'config.json must hold a JSON object such as {"apiUrl": "https://api.example.com"}.' };
  }
  const apiUrl: unknown = (raw as Record<string, unknown>)['apiUrl'];
  if (typeof apiUrl !== 'string') {
    return { ok: false, problem: 'config.json has no "apiUrl" string.' };
  }
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    return { ok: false, problem: `"apiUrl" in config.json is not an absolute URL: "${apiUrl}".` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, problem: `"apiUrl" in config.json must start with https:// or http://, not "${url.protocol}".` };
  }
  if (url.username || url.password || url.search || url.hash) {
    return { ok: false, problem: '"apiUrl" in config.json must not carry credentials, a query or a fragment.' };
  }
  return { ok: true, config: { apiUrl: url.href.replace(/\/+$/, '') } };
}

/**
 * Fetches and validates `config.json`. A missing file (404, or the HTML page a
 * single-page-app server answers for unknown paths) means the defaults.
 */
export async function loadAppConfig(url: string | URL, fetchImpl: typeof fetch = fetch): Promise<AppConfigResult> {
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
  return parseAppConfig(raw);
}
