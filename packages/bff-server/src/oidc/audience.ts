import { decodeJwt } from 'jose';
import type { Logger } from '../log.js';

/** How many different `aud` sets are reported per process: enough for every IdP misconfiguration, never a flood. */
const MAX_REPORTS = 8;

/**
 * Names the `aud` an IdP actually issues when a sign-in's access token is refused for its
 * audience: without a resource indicator some IdPs put the scope string there, and an operator
 * should not have to guess what `OIDC_AUDIENCE` must say. Logged once per distinct value
 * (`auth.audience_mismatch`); `aud` values are identifiers, not secrets. Opaque tokens say nothing.
 */
export class AudienceWatch {
  readonly #reported = new Set<string>();

  constructor(
    private readonly expected: string,
    private readonly logger: Logger,
  ) {}

  /** Looks at a refused access token's `aud` (its signature was checked before its claims). */
  observe(accessToken: string): void {
    let aud: unknown;
    try {
      aud = decodeJwt(accessToken).aud;
    } catch {
      return;
    }
    const issued = (Array.isArray(aud) ? aud : [aud]).filter((value): value is string => typeof value === 'string').map((value) => value.slice(0, 200));
    if (issued.includes(this.expected)) return;
    const key = JSON.stringify(issued);
    if (this.#reported.has(key) || this.#reported.size >= MAX_REPORTS) return;
    this.#reported.add(key);
    this.logger.warn('auth.audience_mismatch', {
      expected: this.expected,
      issued: issued.slice(0, 10),
      fix: 'Set OIDC_AUDIENCE to the aud the IdP issues, or OIDC_RESOURCE to a resource indicator for which the IdP issues OIDC_AUDIENCE (RFC 8707).',
    });
  }
}
