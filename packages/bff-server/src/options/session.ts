import { z } from 'zod';
import { DEV_DEFAULTS } from '@oidc-bff/protocol';
import { int, REQUIRED_IN_PRODUCTION, type OptionsContext } from './fields.js';

const MIN_SECRET_LENGTH = 32;

/**
 * Sessions (`SESSION_*`): the secrets that sign and encrypt them, and their lifetimes.
 * `secrets` is one secret or a list for rotation (the first signs and encrypts, every one
 * verifies and decrypts: S19); each is at least 32 characters of random data.
 */
export function sessionOptions(context: OptionsContext) {
  return z
    .strictObject({
      secrets: z
        .union([z.string(), z.array(z.string()).readonly()], { error: 'must be a secret or a list of secrets' })
        .optional()
        .transform((value, ctx): readonly string[] => {
          const fail = (message: string) => ctx.addIssue({ code: 'custom', message });
          if (value === undefined) {
            if (context.production) fail(REQUIRED_IN_PRODUCTION);
            return [DEV_DEFAULTS.SESSION_SECRET];
          }
          const secrets = (typeof value === 'string' ? [value] : value).map((secret) => secret.trim()).filter(Boolean);
          if (secrets.length === 0) fail('list at least one secret.');
          secrets.forEach((secret, i) => {
            const which = secrets.length > 1 ? `secret #${i + 1} of the list ` : '';
            if (secret.length < MIN_SECRET_LENGTH) {
              fail(
                `${which}must be at least ${MIN_SECRET_LENGTH} characters of random data; generate one with: node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))"`,
              );
            } else if (context.production && secret === DEV_DEFAULTS.SESSION_SECRET) {
              fail(`${which}is the published development value; generate a new one.`);
            }
          });
          return secrets;
        }),
      /** Seconds without a request after which a session ends. */
      idleTtlSeconds: int(60, 7 * 24 * 3600).default(30 * 60),
      /** Seconds after sign-in at which a session ends whatever its use (never shorter than the idle TTL). */
      absoluteTtlSeconds: int(60, 30 * 24 * 3600).default(8 * 3600),
    })
    .transform((session) => ({ ...session, absoluteTtlSeconds: Math.max(session.absoluteTtlSeconds, session.idleTtlSeconds) }));
}

export type SessionOptions = z.input<ReturnType<typeof sessionOptions>>;
