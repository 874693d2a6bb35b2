import { z } from 'zod';
import { httpUrl, int, type OptionsContext } from './fields.js';

/**
 * How the BFF obtains a user's token for a downstream API:
 * - `exchange`: OAuth 2.0 Token Exchange (RFC 8693), the session's access token as the subject token;
 * - `resource`: a refresh-token grant with a `resource` indicator (RFC 8707); the resource is asked for at sign-in;
 * - `session`: the session's own access token, only for an API that is its audience.
 */
export const DOWNSTREAM_TOKEN_MODES = ['exchange', 'resource', 'session'] as const;
export type DownstreamTokenMode = (typeof DOWNSTREAM_TOKEN_MODES)[number];

/** A name as it appears in `/api/remote/<name>/...` and `ctx.downstream(name)`. */
const API_NAME = /^[a-z][a-z0-9-]{0,31}$/;

export const DOWNSTREAM_SHAPE =
  'Expected a JSON object of API name → settings, e.g. {"reports":{"baseUrl":"https://reports.internal/v1","token":"exchange","audience":"urn:reports","scopes":["reports:read"]}}.';

function downstreamApi(context: OptionsContext) {
  return z
    .strictObject({
      /** Where the API is; calls and proxied paths are relative to it, and the token goes nowhere else. */
      baseUrl: httpUrl(context, { noQuery: true }),
      token: z.enum(DOWNSTREAM_TOKEN_MODES, { error: `must be one of ${DOWNSTREAM_TOKEN_MODES.join(', ')}` }),
      /** `exchange`: the `audience` asked for (RFC 8693 §2.1). */
      audience: z.string().trim().min(1).optional(),
      /** `exchange` and `resource`: the resource indicator (RFC 8707), an absolute URI. */
      resource: z
        .string()
        .trim()
        .regex(/^[a-z][a-z0-9+.-]*:[^\s#]+$/i, {
          error: 'must be an absolute URI without a fragment (RFC 8707 §2), e.g. urn:reports or https://reports.example.com',
        })
        .optional(),
      /** The scopes asked for with the API's token. */
      scopes: z
        .array(
          z
            .string()
            .trim()
            .regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, { error: 'must be a scope token (no spaces or quotes)' }),
        )
        .default([]),
      /** Bound of one call (headers and body), milliseconds. */
      timeoutMs: int(100, 300_000).default(10_000),
      /** Largest request body the proxy forwards and largest answer a procedure reads, bytes. */
      maxBodyBytes: int(1, 64 * 1024 * 1024).default(1024 * 1024),
    })
    .superRefine((api, ctx) => {
      if (api.token === 'exchange' && !api.audience && !api.resource)
        ctx.addIssue({ code: 'custom', path: ['audience'], message: 'token "exchange" needs the audience (or resource) to ask the identity provider for.' });
      if (api.token === 'resource' && !api.resource)
        ctx.addIssue({ code: 'custom', path: ['resource'], message: 'token "resource" needs the resource indicator to ask the identity provider for.' });
      if (api.token === 'session' && (api.resource || api.scopes.length > 0))
        ctx.addIssue({
          code: 'custom',
          path: ['token'],
          message:
            'token "session" sends the session\'s own access token, so it takes no resource or scopes; use "exchange" or "resource" for a token of its own.',
        });
    });
}

/**
 * The downstream APIs the BFF calls for the user, by name (`DOWNSTREAM_APIS`, JSON): the
 * remote-API proxy (`/api/remote/<name>/...`) and procedures (`ctx.downstream(name)`) reach
 * exactly these.
 */
export function downstreamOptions(context: OptionsContext) {
  return z
    .record(z.string(), downstreamApi(context), { error: DOWNSTREAM_SHAPE })
    .default({})
    .superRefine((apis, ctx) => {
      for (const name of Object.keys(apis))
        if (!API_NAME.test(name))
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: `"${name.slice(0, 40)}" is not an API name: lower-case letters, digits and dashes, starting with a letter, at most 32 (it is a path segment of /api/remote/<name>/).`,
          });
    });
}

export type DownstreamOptions = z.input<ReturnType<typeof downstreamOptions>>;

/** One downstream API as the machinery calls it. */
export interface DownstreamApiConfig {
  readonly name: string;
  readonly baseUrl: URL;
  readonly token: DownstreamTokenMode;
  readonly audience: string | undefined;
  readonly resource: string | undefined;
  readonly scopes: readonly string[];
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
}
