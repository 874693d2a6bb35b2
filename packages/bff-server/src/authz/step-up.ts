import type { StepUpChallenge } from '@oidc-bff/protocol';

/**
 * The authentication context classes (`acr`) from weakest to strongest, when none is configured
 * (`OIDC_ACR_ORDER`): a password, then a password and a second factor, as the development IdP
 * issues them. An IdP with other names (`urn:mace:incommon:iap:silver`, `phr`/`phrh`, ...) is
 * configured with its own list.
 */
export const DEFAULT_ACR_ORDER: readonly string[] = ['urn:bff:loa:pwd', 'urn:bff:loa:mfa'];

/** The longest `max_age` a login accepts, in seconds (a year): beyond it the requirement means nothing. */
export const MAX_STEP_UP_AGE_SECONDS = 31_536_000;

/**
 * Tolerated difference between this server's clock and the IdP's, which wrote `auth_time`. Small:
 * a `max_age` of a few seconds must still mean a fresh sign-in.
 */
export const AUTH_TIME_TOLERANCE_SECONDS = 5;

/**
 * An `acr` value as it may travel in `acr_values`, a challenge header, a page and the audit trail:
 * URI characters only (no space, quote, backslash or angle bracket), bounded.
 */
const ACR_TOKEN = /^[A-Za-z0-9._~:/?#@!$&*+,;=%-]{1,128}$/;

/** Whether `value` can be an `acr` (URI characters, no space, quote, backslash or angle bracket, at most 128 characters). */
export function isAcrToken(value: string): boolean {
  return ACR_TOKEN.test(value);
}

/**
 * What a procedure requires of the sign-in: an `acr` at least as strong as `acr` in the configured
 * order, and/or an authentication at most `maxAgeSeconds` old.
 */
export interface StepUpRequirement {
  readonly acr?: string;
  readonly maxAgeSeconds?: number;
}

/** How the session was signed in, from the ID token of its last sign-in. */
export interface SignInStrength {
  readonly acr?: string | undefined;
  /** The ID token's `auth_time`, epoch seconds. */
  readonly authTime?: number | undefined;
}

/**
 * Whether `obtained` satisfies `required` in `order` (weakest first): the same value, or one
 * listed after it. A value not in the order satisfies only itself.
 */
export function acrSatisfies(obtained: string | undefined, required: string, order: readonly string[]): boolean {
  if (obtained === undefined) return false;
  if (obtained === required) return true;
  const need = order.indexOf(required);
  const have = order.indexOf(obtained);
  return need !== -1 && have !== -1 && have >= need;
}

/**
 * The challenge a sign-in of `strength` must answer to meet `requirement`, or undefined when it
 * meets it already (S29: checked against what the ID token said, never against what was asked).
 */
export function stepUpShortfall(
  strength: SignInStrength,
  requirement: StepUpRequirement,
  order: readonly string[],
  nowMs: number,
): StepUpChallenge | undefined {
  const acrShort = requirement.acr !== undefined && !acrSatisfies(strength.acr, requirement.acr, order);
  const maxAge = requirement.maxAgeSeconds;
  const tooOld = maxAge !== undefined && (strength.authTime === undefined || nowMs / 1000 - strength.authTime > maxAge + AUTH_TIME_TOLERANCE_SECONDS);
  if (!acrShort && !tooOld) return undefined;
  // RFC 9470 §3: both parameters are sent whenever the requirement has them, so that the new sign-in meets all of it.
  return {
    ...(requirement.acr !== undefined ? { acr_values: requirement.acr } : {}),
    ...(maxAge !== undefined ? { max_age: maxAge } : {}),
  };
}

/** What `/api/login` was asked to obtain; kept in the login transaction and checked at the callback. */
export interface StepUpRequest {
  /** The `acr` values sent to the IdP, in the order given. */
  readonly acrValues?: readonly string[];
  readonly maxAge?: number;
}

/** A step-up login parameter that cannot be honoured; the message names the parameter and what it accepts. */
export class StepUpRequestError extends Error {
  override readonly name = 'StepUpRequestError';
}

/**
 * Reads `acr_values` and `max_age` from `/api/login`'s query: only values of the configured order
 * (anything else would send the user to the IdP for a requirement no procedure checks, or one the
 * callback cannot rank), and a whole number of seconds within {@link MAX_STEP_UP_AGE_SECONDS}.
 * @throws {StepUpRequestError} naming the parameter.
 */
export function parseStepUpRequest(query: { readonly acr_values?: unknown; readonly max_age?: unknown }, order: readonly string[]): StepUpRequest {
  const { acr_values: acrRaw, max_age: maxAgeRaw } = query;
  let acrValues: string[] | undefined;
  if (acrRaw !== undefined) {
    if (typeof acrRaw !== 'string') throw new StepUpRequestError('acr_values must be given once.');
    acrValues = [...new Set(acrRaw.split(' ').filter(Boolean))];
    if (acrValues.length === 0 || acrValues.some((value) => !order.includes(value)))
      throw new StepUpRequestError(`acr_values must be space-separated values of the configured order (${order.join(', ')}).`);
  }
  let maxAge: number | undefined;
  if (maxAgeRaw !== undefined) {
    maxAge = typeof maxAgeRaw === 'string' && /^\d{1,9}$/.test(maxAgeRaw) ? Number(maxAgeRaw) : Number.NaN;
    if (!(maxAge <= MAX_STEP_UP_AGE_SECONDS)) throw new StepUpRequestError(`max_age must be a whole number of seconds from 0 to ${MAX_STEP_UP_AGE_SECONDS}.`);
  }
  return { ...(acrValues ? { acrValues } : {}), ...(maxAge !== undefined ? { maxAge } : {}) };
}

/** The weakest of `values` in `order` (`acr_values` lists acceptable values: the weakest is what must be met). */
export function weakestAcr(values: readonly [string, ...string[]] | readonly string[], order: readonly string[]): string | undefined {
  return values.reduce<string | undefined>(
    (weakest, value) => (weakest === undefined || order.indexOf(value) < order.indexOf(weakest) ? value : weakest),
    undefined,
  );
}

/**
 * Whether the ID token of a step-up login meets what was asked: an `acr` that satisfies the
 * weakest value asked for, and an `auth_time` within `max_age` of now (S29: the token's claims,
 * not the request). The reason is log-safe.
 */
export function checkStepUpResult(
  asked: { readonly acr?: string; readonly maxAge?: number },
  obtained: SignInStrength,
  order: readonly string[],
  nowMs: number,
): { readonly ok: true } | { readonly ok: false; readonly reason: 'acr_not_met' | 'auth_time_too_old' } {
  if (asked.acr !== undefined && !acrSatisfies(obtained.acr, asked.acr, order)) return { ok: false, reason: 'acr_not_met' };
  if (asked.maxAge !== undefined && stepUpShortfall(obtained, { maxAgeSeconds: asked.maxAge }, order, nowMs)) return { ok: false, reason: 'auth_time_too_old' };
  return { ok: true };
}

/** RFC 9470 §3's challenge, as the remote-API proxy relays it to the browser. */
export function challengeHeader(challenge: StepUpChallenge): string {
  const parts = ['Bearer error="insufficient_user_authentication"'];
  if (challenge.acr_values !== undefined) parts.push(`acr_values="${challenge.acr_values}"`);
  if (challenge.max_age !== undefined) parts.push(`max_age=${challenge.max_age}`);
  return parts.join(', ');
}

/**
 * The step-up challenge in a downstream API's `WWW-Authenticate` (RFC 9470 §3), or undefined when
 * it is not one. Only values that can be `acr` tokens and a bounded `max_age` are kept: the header
 * is the API's, and what is kept is sent on to the browser.
 */
export function parseChallenge(header: string | undefined): StepUpChallenge | undefined {
  if (!header || !/\berror="?insufficient_user_authentication"?/.test(header)) return undefined;
  const acr = /\bacr_values="([^"]*)"/.exec(header)?.[1] ?? /\bacr_values=([^\s,"]+)/.exec(header)?.[1];
  const age = /\bmax_age="?(\d{1,9})"?/.exec(header)?.[1];
  const acrValues = acr
    ?.split(' ')
    .filter((value) => value && isAcrToken(value))
    .slice(0, 16)
    .join(' ');
  const maxAge = age !== undefined && Number(age) <= MAX_STEP_UP_AGE_SECONDS ? Number(age) : undefined;
  return { ...(acrValues ? { acr_values: acrValues } : {}), ...(maxAge !== undefined ? { max_age: maxAge } : {}) };
}
