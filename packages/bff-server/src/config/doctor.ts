import { ConfigError, isEnv, optionsFromEnv, type Config, type Env } from './env.js';
import { resolveOptions } from '../options/resolve.js';
import type { BffOptions } from '../options/schema.js';
import type { Finding, Severity } from './finding.js';
import { cookieBytes, MAX_COOKIE_BYTES } from '../session/cookie-size.js';
import { transactionCookiePrefix, WORST_TRANSACTION_COOKIE_VALUE } from '../session/transaction-cookies.js';
import { CLOCK_TOLERANCE_SECONDS } from '../oidc/token-verifier.js';
import { isLoopbackHost } from './topology.js';
import { directoryFindings, introspectionFindings } from './doctor-authz.js';
import { redisFindings } from './doctor-redis.js';
import { downstreamFindings } from './doctor-downstream.js';
import { observabilityFindings } from './doctor-observability.js';
import { fapi2Findings } from './doctor-fapi2.js';
import { claimSourceFindings } from './doctor-claims.js';
import { stepUpFindings } from './doctor-step-up.js';
import { TRUST_PROXY_FIX, trustProxyRisk } from './trust-proxy.js';

// The doctor's public types, also where its callers look for them.
export type { Finding, Severity } from './finding.js';

/**
 * Checks that need no network: what the configuration implies for cookies, CORS
 * and proxies. Also logged as warnings when the API starts.
 */
export function staticFindings(config: Config): Finding[] {
  const findings: Finding[] = [];
  const { cookie } = config;
  const attributes = [`${cookie.name}=…`, 'HttpOnly', cookie.secure ? 'Secure' : undefined, `SameSite=${cap(cookie.sameSite)}`, 'Path=/']
    .filter(Boolean)
    .join('; ');
  findings.push({
    severity: cookie.topology === 'cross-site' ? 'warn' : 'ok',
    check: 'topology',
    message: `Fronts ${config.frontOrigins.join(', ')} → API ${config.backUrl.origin}: ${cookie.topology}. Session cookie: ${attributes}.`,
    ...(cookie.topology === 'cross-site'
      ? {
          fix: 'Cross-site cookies are third-party cookies: Safari, Firefox and Chrome with tracking protection drop them. Serve front and API from one registrable domain (app.example.com / api.example.com) or one origin behind a reverse proxy.',
        }
      : {}),
  });
  findings.push({
    severity: 'ok',
    check: 'cors',
    message: `CORS allows exactly ${config.frontOrigins.join(', ')} with credentials; any other origin gets no CORS headers.`,
  });
  if (config.backUrl.protocol === 'https:' && config.trustProxy === false) {
    findings.push({
      severity: 'warn',
      check: 'trust-proxy',
      message:
        "BACK_URL is https but TRUST_PROXY is not set. The API itself speaks plain http, so a TLS-terminating proxy is in front: without trust proxy, Express sees every request as http from the proxy's address (rate limits then hit all users at once).",
      fix: 'Set TRUST_PROXY to the proxy hops (e.g. 1) or addresses (e.g. loopback).',
    });
  }
  const trustRisk = trustProxyRisk(config.trustProxy);
  if (trustRisk !== undefined) {
    // Production refuses this setting at start-up; development runs with it, and hears why not to ship it.
    findings.push({ severity: config.production ? 'error' : 'warn', check: 'trust-proxy', message: trustRisk, fix: `Before production, ${TRUST_PROXY_FIX}` });
  }
  const insecure = [config.oidc.issuer, config.backUrl, ...config.frontOrigins.map((o) => new URL(o))].filter(
    (u) => u.protocol === 'http:' && !isLoopbackHost(u.hostname),
  );
  if (insecure.length > 0) {
    findings.push({
      severity: config.production ? 'error' : 'warn',
      check: 'https',
      message: `Plain http outside localhost: ${insecure.map((u) => u.origin).join(', ')}.`,
      fix: 'Use https everywhere outside local development.',
    });
  }
  const sessionBytes = cookieBytes(cookie.name, 'x'.repeat(43 + 1 + 43));
  const transactionBytes = cookieBytes(
    `${transactionCookiePrefix(cookie.baseName, cookie.secure)}${'s'.repeat(43)}`,
    'x'.repeat(WORST_TRANSACTION_COOKIE_VALUE),
  );
  findings.push(
    transactionBytes > MAX_COOKIE_BYTES
      ? {
          severity: 'error',
          check: 'cookie-size',
          message: `The login transaction cookie can reach ${transactionBytes} bytes; browsers drop cookies over ${MAX_COOKIE_BYTES}.`,
          fix: 'Shorten COOKIE_NAME.',
        }
      : {
          severity: 'ok',
          check: 'cookie-size',
          message: `Cookies stay under ${MAX_COOKIE_BYTES} bytes (session ${sessionBytes}, login transaction at most ${transactionBytes}).`,
        },
  );
  return findings;
}

/** Checks against the live identity provider: discovery, keys, capabilities and clock. */
export async function idpFindings(config: Config, options: { fetch?: typeof fetch; now?: () => number } = {}): Promise<Finding[]> {
  const get = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const findings: Finding[] = [];
  const discoveryUrl = new URL('.well-known/openid-configuration', config.oidc.issuer.href.endsWith('/') ? config.oidc.issuer : `${config.oidc.issuer.href}/`);
  let response: Response;
  try {
    response = await get(discoveryUrl, { signal: AbortSignal.timeout(config.oidc.timeoutMs) });
  } catch (error) {
    return [
      {
        severity: 'error',
        check: 'discovery',
        message: `Cannot reach ${discoveryUrl.href} (${error instanceof Error ? error.name : 'error'}).`,
        fix: 'Check OIDC_ISSUER, DNS, firewalls and proxies between the API and the IdP.',
      },
    ];
  }
  if (!response.ok) {
    return [
      {
        severity: 'error',
        check: 'discovery',
        message: `${discoveryUrl.href} answered HTTP ${response.status}.`,
        fix: 'Check OIDC_ISSUER: it must be the issuer identifier, without /.well-known/….',
      },
    ];
  }
  let metadata: Record<string, unknown>;
  try {
    metadata = (await response.json()) as Record<string, unknown>;
  } catch {
    return [{ severity: 'error', check: 'discovery', message: `${discoveryUrl.href} did not return JSON.`, fix: 'Check OIDC_ISSUER.' }];
  }
  const issuer = String(metadata['issuer'] ?? '');
  if (issuer.replace(/\/$/, '') !== config.oidc.issuer.href.replace(/\/$/, '')) {
    findings.push({
      severity: 'error',
      check: 'discovery',
      message: `The IdP calls itself "${issuer}", not "${config.oidc.issuer.href}".`,
      fix: `Set OIDC_ISSUER=${issuer}.`,
    });
  } else {
    findings.push({ severity: 'ok', check: 'discovery', message: `Discovery at ${discoveryUrl.href} works.` });
  }

  const date = response.headers.get('date');
  if (date) {
    const skew = Math.round((Date.parse(date) - now()) / 1000);
    const tolerable = Math.abs(skew) <= CLOCK_TOLERANCE_SECONDS + 1;
    findings.push({
      severity: tolerable ? 'ok' : 'error',
      check: 'clock',
      message: `The IdP's clock is ${Math.abs(skew)} s ${skew >= 0 ? 'ahead of' : 'behind'} ours (tolerance ${CLOCK_TOLERANCE_SECONDS} s).`,
      ...(tolerable ? {} : { fix: 'Synchronise both clocks with NTP: tokens will be refused as not yet valid or expired.' }),
    });
  }

  const jwksUri = typeof metadata['jwks_uri'] === 'string' ? metadata['jwks_uri'] : undefined;
  if (!jwksUri) {
    findings.push({
      severity: 'error',
      check: 'jwks',
      message: 'The IdP publishes no jwks_uri.',
      fix: "The API needs the IdP's public keys to verify tokens.",
    });
  } else {
    try {
      const keys = (await (await get(jwksUri, { signal: AbortSignal.timeout(config.oidc.timeoutMs) })).json()) as {
        keys?: Array<{ alg?: string; kty?: string }>;
      };
      const count = keys.keys?.length ?? 0;
      findings.push(
        count > 0
          ? { severity: 'ok', check: 'jwks', message: `${count} signing key(s) at ${jwksUri}.` }
          : { severity: 'error', check: 'jwks', message: `No keys at ${jwksUri}.`, fix: "Check the IdP's key configuration." },
      );
    } catch (error) {
      findings.push({
        severity: 'error',
        check: 'jwks',
        message: `Cannot read ${jwksUri} (${error instanceof Error ? error.name : 'error'}).`,
        fix: 'Check network access from the API to the IdP.',
      });
    }
  }

  const list = (key: string) => (Array.isArray(metadata[key]) ? (metadata[key] as unknown[]).map(String) : []);
  if (!list('code_challenge_methods_supported').includes('S256')) {
    findings.push({ severity: 'warn', check: 'pkce', message: 'The IdP does not advertise PKCE S256.', fix: 'Enable PKCE (S256) for the client at the IdP.' });
  }
  const algs = list('id_token_signing_alg_values_supported');
  if (algs.length > 0 && !algs.some((a) => config.oidc.algorithms.includes(a))) {
    findings.push({
      severity: 'error',
      check: 'algorithms',
      message: `The IdP signs with ${algs.join(', ')}; OIDC_TOKEN_ALGS accepts ${config.oidc.algorithms.join(', ')}.`,
      fix: `Set OIDC_TOKEN_ALGS to one of ${algs.filter((a) => !a.startsWith('HS') && a !== 'none').join(', ')}.`,
    });
  }
  if (!metadata['end_session_endpoint']) {
    findings.push({
      severity: 'warn',
      check: 'logout',
      message: 'The IdP has no end_session_endpoint: signing out of the app leaves the IdP session open.',
      fix: 'Enable RP-initiated logout at the IdP.',
    });
  }
  if (!metadata['revocation_endpoint']) {
    findings.push({
      severity: 'info',
      check: 'revocation',
      message: 'The IdP offers no token revocation: refresh tokens live on until they expire after logout.',
    });
  }
  if (metadata['backchannel_logout_supported'] !== true && metadata['frontchannel_logout_supported'] === true) {
    findings.push({
      severity: 'info',
      check: 'backchannel',
      message:
        "The IdP has no back-channel logout but front-channel logout: a sign-out at the IdP ends sessions here when its logout page loads the API's front-channel logout URI (below) in the user's browser.",
      ...(metadata['frontchannel_logout_session_required'] === true
        ? {}
        : {
            fix: 'The IdP does not say it sends sid to the front-channel logout URI (frontchannel_logout_session_required): the API ends sessions by iss and sid only.',
          }),
    });
  } else if (metadata['backchannel_logout_supported'] !== true) {
    findings.push({
      severity: 'info',
      check: 'backchannel',
      message: 'The IdP does not support back-channel logout: sessions ended at the IdP stay open here until they expire.',
    });
  }
  if (config.oidc.accessTokenVerify === 'jwt') {
    // Discovery does not say what `aud` the IdP puts in access tokens, and the doctor has no user to sign in.
    findings.push({
      severity: 'info',
      check: 'audience',
      message: `Access tokens must carry aud = ${config.oidc.audience}${config.oidc.resource ? `, asked for with the resource indicator ${config.oidc.resource} at sign-in and at every refresh (OIDC_RESOURCE)` : ''}. Some IdPs issue another aud (the scope string when no resource is asked): sign-ins then fail with access_token_invalid, and the API logs auth.audience_mismatch once, naming the aud values the IdP issued.`,
      fix: 'Set OIDC_AUDIENCE to the aud that log line names, or OIDC_RESOURCE to the resource indicator for which the IdP issues OIDC_AUDIENCE (RFC 8707).',
    });
  }
  findings.push(...claimSourceFindings(config, metadata));
  findings.push(...stepUpFindings(config, metadata));
  findings.push(...fapi2Findings(config, metadata));
  return findings;
}

/**
 * Runs every check on the options the API would start with (or on an environment, read
 * as `optionsFromEnv` reads it): configuration problems first, each named as it was set,
 * then the live IdP, Redis and directory.
 */
export async function diagnose(settings: BffOptions | Env, options: { fetch?: typeof fetch; now?: () => number } = {}): Promise<Finding[]> {
  let config: Config;
  try {
    config = resolveOptions(isEnv(settings) ? optionsFromEnv(settings) : settings);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.issues.map((issue) => ({ severity: 'error' as const, check: 'config', message: `${issue.setting} ${issue.message}` }));
  }
  return [
    ...config.warnings.map((message) => ({ severity: 'warn' as const, check: 'config', message })),
    ...staticFindings(config),
    ...(await idpFindings(config, options)),
    ...(await redisFindings(config)),
    ...(await directoryFindings(config)),
    ...(await introspectionFindings(config)),
    ...(await downstreamFindings(config, options)),
    ...(await observabilityFindings(config, options)),
  ];
}

const SYMBOLS: Record<Severity, string> = { ok: '✔', info: 'ℹ', warn: '⚠', error: '✖' };

/** Human-readable report, one finding per line and its fix below it. */
export function formatFindings(findings: readonly Finding[]): string {
  return findings.map((f) => `${SYMBOLS[f.severity]} [${f.check}] ${f.message}${f.fix ? `\n    fix: ${f.fix}` : ''}`).join('\n');
}

function cap(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1);
}
