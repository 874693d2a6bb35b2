import { z } from 'zod';
import { DEV_DEFAULTS } from '@oidc-bff/protocol';
import { trustProxyOption } from '../config/trust-proxy.js';
import { httpUrl, int, orDevDefault, type OptionsContext } from './fields.js';

/**
 * The server's own settings, at the top level of the options: where it runs (`production`,
 * `port`), its public URL (`backUrl`, BACK_URL), the fronts allowed to call it
 * (`frontOrigins`, FRONT_URL) and the proxies in front of it (`trustProxy`, TRUST_PROXY).
 */
export function serverOptions(context: OptionsContext) {
  return {
    /** NODE_ENV=production: no development defaults, https outside localhost, stricter refusals. */
    production: z.boolean({ error: 'must be true or false' }).default(false),
    port: int(0, 65535).default(3000),
    /** The API's public URL; login, callback and the tRPC endpoint live under it. */
    backUrl: httpUrl(context, { noQuery: true })
      .optional()
      .transform(orDevDefault(context, () => new URL(DEV_DEFAULTS.BACK_URL))),
    /** Allowed front origins, exactly (no wildcard: CORS with credentials); the first is where users land by default. */
    frontOrigins: z
      .array(
        z
          .union([z.string(), z.instanceof(URL)])
          .refine((front) => typeof front !== 'string' || front.trim() !== '*', {
            error: '"*" is not allowed: credentials require an exact list of origins.',
          })
          .pipe(httpUrl(context, { origin: true }))
          .transform((url) => url.origin),
        { error: 'must be a list of origins' },
      )
      .min(1, { error: 'list at least one front origin, e.g. https://app.example.com.' })
      .readonly()
      .optional()
      .transform(orDevDefault<readonly string[]>(context, () => [new URL(DEV_DEFAULTS.FRONT_URL).origin])),
    trustProxy: trustProxyOption(context),
  };
}
