import { z } from 'zod';
import { isLoopbackHost, isReservedDevHost } from '../config/topology.js';
import { setting } from './issues.js';

/** What the rules depend on besides the options they check. */
export interface OptionsContext {
  /** `production: true` (NODE_ENV=production): no development defaults, https outside localhost. */
  readonly production: boolean;
}

/** A URL as a program passes it: a string or a `URL`. */
export type UrlInput = string | URL;

export const REQUIRED_IN_PRODUCTION = `is required when ${setting('production', 'true')} (development defaults are never used in production).`;

/** A whole number within bounds; a variable that is not a number arrives as NaN and is refused here. */
export function int(min: number, max: number) {
  const error = `must be a whole number from ${min} to ${max}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

/** An optional value that production requires: missing, it is refused there and `fallback` in development. */
export function orDevDefault<T>(context: OptionsContext, fallback: () => T) {
  return (value: T | undefined, ctx: z.RefinementCtx): T => {
    if (value !== undefined) return value;
    if (context.production) {
      ctx.addIssue({ code: 'custom', message: REQUIRED_IN_PRODUCTION });
      return z.NEVER;
    }
    return fallback();
  };
}

/** A non-blank string, required in production; `fallback` in development. */
export function requiredText(context: OptionsContext, fallback: string) {
  return z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => orDevDefault(context, () => fallback)(value || undefined, ctx));
}

/**
 * An http(s) URL without credentials: https outside loopback hosts in production, and
 * outside reserved development names (`*.test`, `*.example`, …) otherwise.
 */
export function httpUrl(context: OptionsContext, shape: { origin?: boolean; noQuery?: boolean } = {}) {
  return z.union([z.string(), z.instanceof(URL)], { error: 'must be a URL (a string or a URL object)' }).transform((input, ctx) => {
    const raw = typeof input === 'string' ? input.trim() : input.href;
    const fail = (message: string) => {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    };
    let value: URL;
    try {
      value = new URL(raw);
    } catch {
      return fail(`"${raw}" is not an absolute URL; write it like https://host.example.com.`);
    }
    if (value.protocol !== 'https:' && value.protocol !== 'http:') return fail(`must be an http(s) URL, not ${value.protocol}`);
    if (value.protocol === 'http:' && !(context.production ? isLoopbackHost(value.hostname) : isReservedDevHost(value.hostname))) {
      return fail(
        context.production
          ? `must use https outside localhost in production (got ${value.origin}).`
          : `must use https for ${value.hostname}; plain http is only for localhost and reserved development names such as *.test.`,
      );
    }
    if (value.username || value.password) return fail('must not contain credentials.');
    if (shape.origin && ((value.pathname !== '/' && value.pathname !== '') || value.search || value.hash)) {
      return fail(`"${raw}" must be an origin (scheme, host and port only), e.g. ${value.origin}.`);
    }
    if (shape.noQuery && (value.search || value.hash)) return fail('must not have a query or fragment.');
    return value;
  });
}

function overlaps(a: readonly PropertyKey[], b: readonly PropertyKey[]): boolean {
  return a.slice(0, Math.min(a.length, b.length)).every((key, i) => key === b[i]);
}

/**
 * For a rule's `when`: the rule runs once the settings it reads (dot paths) are valid,
 * whatever else is wrong, so that every problem is reported at once and none twice.
 */
export function validAt(...paths: readonly string[]) {
  const keys = paths.map((path) => path.split('.'));
  return (payload: { readonly issues: readonly { readonly code?: string; readonly path?: readonly PropertyKey[] | undefined }[] }): boolean =>
    // An unknown key invalidates no setting (and has no path yet where the rule runs).
    !payload.issues.some((issue) => issue.code !== 'unrecognized_keys' && keys.some((path) => overlaps(issue.path ?? [], path)));
}
