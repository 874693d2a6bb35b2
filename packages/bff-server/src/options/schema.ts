import { z } from 'zod';
import { DEV_DEFAULTS } from '@oidc-bff/protocol';
import type { Config } from '../config/config.js';
import { authzOptions } from './authz.js';
import { cookieOptions, sessionCookie } from './cookies.js';
import { validAt, type OptionsContext } from './fields.js';
import { setting } from './issues.js';
import { ldapOptions } from './ldap.js';
import { limitsOptions } from './limits.js';
import { oidcOptions } from './oidc.js';
import { redisOptions } from './redis.js';
import { serverOptions } from './server.js';
import { sessionOptions } from './session.js';
import { webOptions } from './web.js';
import { observabilityOptions } from './observability.js';
import { downstreamOptions, type DownstreamApiConfig } from './downstream.js';

function bffOptionsShape(context: OptionsContext) {
  return {
    ...serverOptions(context),
    oidc: oidcOptions(context).prefault({}),
    session: sessionOptions(context).prefault({}),
    cookies: cookieOptions.prefault({}),
    redis: redisOptions(context).prefault({}),
    ldap: ldapOptions(context).prefault({}),
    limits: limitsOptions.prefault({}),
    authz: authzOptions.prefault({}),
    web: webOptions.prefault({}),
    observability: observabilityOptions.prefault({}),
    downstream: downstreamOptions(context),
  };
}

/** The top-level keys of {@link BffOptions}. */
export const BFF_OPTION_KEYS: ReadonlySet<string> = new Set(Object.keys(bffOptionsShape({ production: false })));

/**
 * The options schema: each section's own rules, the rules between sections, and the
 * derivation of the resolved {@link Config} (whose warnings still hold `setting()` references).
 */
export function bffOptionsSchema(context: OptionsContext) {
  return (
    z
      .strictObject(bffOptionsShape(context))
      .superRefine(
        ({ backUrl, oidc }, ctx) => {
          const apiBase = backUrl.href.replace(/\/$/, '');
          if (oidc.redirectUri && !oidc.redirectUri.href.startsWith(`${apiBase}/`))
            ctx.addIssue({
              code: 'custom',
              path: ['oidc', 'redirectUri'],
              message: `must be under ${setting('backUrl')} (${backUrl.href}) so that the callback receives the session cookie; e.g. ${apiBase}/api/callback.`,
            });
        },
        { when: validAt('backUrl', 'oidc.redirectUri') },
      )
      .superRefine(
        ({ frontOrigins, oidc }, ctx) => {
          const uri = oidc.postLogoutRedirectUri;
          if (uri && !frontOrigins.includes(uri.origin))
            ctx.addIssue({ code: 'custom', path: ['oidc', 'postLogoutRedirectUri'], message: `must be on one of the ${setting('frontOrigins')} origins.` });
        },
        { when: validAt('frontOrigins', 'oidc.postLogoutRedirectUri') },
      )
      // The web app is served on the API's own origin, which must then be an allowed front.
      .superRefine(
        ({ backUrl, frontOrigins, web }, ctx) => {
          if (web.serve !== true) return;
          const origin = backUrl.origin;
          if (!frontOrigins.includes(origin))
            ctx.addIssue({
              code: 'custom',
              path: ['web', 'serve'],
              message: `serves the web app on ${origin}, which must then be one of the ${setting('frontOrigins')} origins: add it to ${setting('frontOrigins')} (${setting('frontOrigins', origin)}), or set ${setting('web.serve', 'false')} and serve the app elsewhere.`,
            });
          else if (!web.root)
            ctx.addIssue({
              code: 'custom',
              path: ['web', 'root'],
              message: `${setting('web.serve', 'true')} needs the built web app: run npm run build (client/dist/client/browser) or set ${setting('web.root')} to its folder.`,
            });
        },
        { when: validAt('backUrl', 'frontOrigins', 'web') },
      )
      .superRefine(
        ({ backUrl, frontOrigins, cookies }, ctx) => {
          const cookie = sessionCookie(backUrl, frontOrigins, cookies);
          if (cookie.sameSite === 'none' && !cookie.secure)
            ctx.addIssue({
              code: 'custom',
              path: cookie.topology === 'cross-site' && !cookies.sameSite ? ['backUrl'] : ['cookies', 'sameSite'],
              message: `the fronts (${frontOrigins.join(', ')}) are cross-site to the API, which needs SameSite=None cookies, and browsers accept those only with Secure over https: serve ${setting('backUrl')} over https, or put front and API on the same site (e.g. app.example.com and api.example.com).`,
            });
        },
        { when: validAt('backUrl', 'frontOrigins', 'cookies') },
      )
      .superRefine(
        ({ port, observability }, ctx) => {
          if (observability.metricsPort === port)
            ctx.addIssue({
              code: 'custom',
              path: ['observability', 'metricsPort'],
              message: `is the public port (${setting('port')}): metrics are served on a port of their own (e.g. 9464), never the public one.`,
            });
        },
        { when: validAt('port', 'observability') },
      )
      .superRefine(
        ({ oidc, downstream }, ctx) => {
          for (const [name, api] of Object.entries(downstream))
            if (api.token === 'session' && api.audience !== undefined && api.audience !== oidc.audience)
              ctx.addIssue({
                code: 'custom',
                path: ['downstream', name, 'audience'],
                message: `is not the session's audience (${setting('oidc.audience')}: ${oidc.audience}), so token "session" would send the API a token that is not for it: use token "exchange" with this audience.`,
              });
        },
        { when: validAt('oidc', 'downstream') },
      )
      .transform(resolved)
  );
}

/**
 * What a program passes to `createBff` (and what `optionsFromEnv` reads from the
 * environment): every setting optional, with development defaults where production has none.
 *
 * @example
 * const bff = await createBff({
 *   production: true,
 *   backUrl: 'https://api.example.com',
 *   frontOrigins: ['https://app.example.com'],
 *   oidc: { issuer: 'https://login.example.com', clientId: 'bff', clientSecret, audience: 'api://bff' },
 *   session: { secrets: [currentSecret, previousSecret] },
 *   redis: { url: 'rediss://redis.internal:6380' },
 *   trustProxy: 1,
 * }, { router: appRouter });
 */
export type BffOptions = z.input<ReturnType<typeof bffOptionsSchema>>;

type ValidOptions = z.output<z.ZodObject<ReturnType<typeof bffOptionsShape>>>;

function resolved(options: ValidOptions): Config {
  const { production, port, backUrl, frontOrigins, trustProxy, oidc, session, cookies, redis, ldap, limits, authz, web, observability, downstream } = options;
  const cookie = sessionCookie(backUrl, frontOrigins, cookies);
  const resourceApis = Object.values(downstream).filter((api) => api.token === 'resource');
  const fapi2 =
    oidc.profile === 'fapi2' && oidc.clientPrivateKey && oidc.dpopPrivateKey ? { client: oidc.clientPrivateKey, dpop: oidc.dpopPrivateKey } : undefined;
  const warnings: string[] = [];
  if (oidc.profile === 'fapi2' && oidc.clientSecret)
    warnings.push(
      `${setting('oidc.clientSecret')} is not used with ${setting('oidc.profile', 'fapi2')}: the client authenticates with ${setting('oidc.clientPrivateKey')} (private_key_jwt). Remove it.`,
    );
  if (cookie.topology === 'cross-site' && cookie.sameSite !== 'none')
    warnings.push(`${setting('cookies.sameSite', cookie.sameSite)} with cross-site fronts: browsers will not send the session cookie to the API.`);
  const webRoot = frontOrigins.includes(backUrl.origin) ? web.root : undefined;
  return {
    production,
    port,
    oidc: {
      issuer: oidc.issuer,
      clientId: oidc.clientId,
      // In the FAPI 2.0 profile the client authenticates with its private key, never a secret.
      clientSecret: oidc.profile === 'fapi2' ? '' : (oidc.clientSecret ?? DEV_DEFAULTS.OIDC_CLIENT_SECRET),
      audience: oidc.audience,
      algorithms: oidc.algorithms ?? (oidc.profile === 'fapi2' ? ['ES256', 'PS256'] : ['RS256']),
      // A `resource` API's token comes from a refresh grant: its resource and scopes are asked for at sign-in (RFC 8707 §2.1).
      scope: [...new Set([...oidc.scopes, ...Object.values(downstream).flatMap((api) => (api.token === 'resource' ? api.scopes : []))])].join(' '),
      resource: oidc.resource,
      // The API's own resource first: the sign-in's access token is issued for it.
      resources: oidc.resource
        ? [...new Set([oidc.resource, ...resourceApis.map((api) => api.resource ?? '')])]
        : resourceApis.length > 0
          ? [oidc.audience, ...new Set(resourceApis.map((api) => api.resource ?? ''))]
          : [],
      redirectUri: oidc.redirectUri ?? new URL(`${backUrl.href.replace(/\/$/, '')}/api/callback`),
      postLogoutRedirectUri: oidc.postLogoutRedirectUri ?? new URL(`${frontOrigins[0] ?? DEV_DEFAULTS.FRONT_URL}/`),
      timeoutMs: oidc.timeoutMs,
      allowHttp: oidc.issuer.protocol === 'http:',
      accessTokenVerify: oidc.accessTokenVerify,
      introspectionCacheTtlSeconds: oidc.introspectionCacheTtlSeconds,
      userinfo: oidc.userinfo,
      profile: oidc.profile,
      fapi2,
    },
    frontOrigins,
    backUrl,
    session,
    cookie,
    rateLimitPerMinute: limits.loginPerMinute,
    trpc: {
      maxBatchSize: limits.maxBatchSize,
      leanPath: limits.leanPath,
      callsPerMinute: limits.callsPerMinute,
      mutationsPerMinute: limits.mutationsPerMinute,
      streams: { maxPerSession: limits.maxStreamsPerSession, maxLifetimeSeconds: limits.maxStreamLifetimeSeconds },
    },
    redis,
    authz,
    ldap,
    web: web.serve === false || !webRoot ? undefined : { root: webRoot },
    trustProxy,
    warnings,
    observability,
    downstream: Object.entries(downstream).map(([name, api]): DownstreamApiConfig => ({
      name,
      baseUrl: api.baseUrl,
      token: api.token,
      audience: api.audience,
      resource: api.resource,
      scopes: api.scopes,
      timeoutMs: api.timeoutMs,
      maxBodyBytes: api.maxBodyBytes,
    })),
  };
}
