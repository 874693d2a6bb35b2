/**
 * `npm start` (the server's `dev` task): the development identity provider on :4000,
 * the dev reports API on :4100 (the downstream API `reports`) and the API on :3000, configured to work together with nothing set. The environment
 * and the repository's `.env` configure both (the environment wins). With OIDC_ISSUER
 * set to another IdP, only the API starts. With DEV_IDP_PROFILE=fapi2 the IdP enforces
 * the FAPI 2.0 profile and the API follows (OIDC_PROFILE=fapi2, keys generated on first
 * run into the git-ignored `.dev-keys/`). Development only: never built, never shipped.
 */
import { createServer } from 'node:http';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEV_DEFAULTS } from '@oidc-bff/protocol';
import { createDevIdp, devIdpSettings, DevIdpSettingsError, writeDevClientKeys } from '@bff/dev-idp';
import { createReportsApi, DEV_REPORTS } from '@bff/dev-api';
import { configFromEnvironment, createLogger, idpRegistration, loadDotEnv } from '@oidc-bff/server';
import { startApi } from '../src/api.js';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');
loadDotEnv([resolve(repoRoot, '.env')]);
const logger = createLogger();
const devIssuer = new URL(DEV_DEFAULTS.OIDC_ISSUER);
matchDevIdpProfile(process.env);
// Prometheus can scrape the API under npm start; METRICS_PORT= (blank) turns the metrics off.
process.env['METRICS_PORT'] ??= '9464';
const devReportsUrl = `http://localhost:${DEV_REPORTS.port}`;
if (usesDevIdp(process.env)) {
  // The dev reports API, called for the user by token exchange; DOWNSTREAM_APIS= (blank) turns it off.
  process.env['DOWNSTREAM_APIS'] ??= JSON.stringify({
    reports: { baseUrl: devReportsUrl, token: 'exchange', audience: DEV_REPORTS.audience, scopes: [DEV_REPORTS.scope] },
  });
}
const config = configFromEnvironment();

if (config.oidc.issuer.origin === devIssuer.origin) {
  let settings;
  try {
    settings = devIdpSettings(process.env);
  } catch (error) {
    if (!(error instanceof DevIdpSettingsError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  const registration = idpRegistration(config);
  const idp = await createDevIdp({
    issuer: devIssuer.origin,
    audience: config.oidc.audience,
    clients: [{ ...registration, backchannelLogoutUri: registration.backchannelLogoutUri }],
    accessTokenTtl: settings.accessTokenTtl,
    profile: settings.profile,
    groups: settings.groups,
    accessTokenFormat: settings.accessTokenFormat,
    claims: settings.claims,
    userinfoSub: settings.userinfoSub,
    logoutReturn: settings.logoutReturn,
    logout: settings.logout,
    secondFactor: settings.secondFactor,
    audienceFrom: settings.audience,
    accessTokenTyp: settings.accessTokenTyp,
    pushedAuthorizationRequests: settings.par,
    revocation: settings.revocation,
    refresh: settings.refresh,
    introspection: settings.introspection,
  });
  const server = createServer(idp.handler);
  await new Promise<void>((resolveListen) => server.listen(Number(devIssuer.port), resolveListen));
  logger.warn('dev_idp.listening', {
    issuer: idp.issuer,
    users: 'alice/alice (analysts), bob/bob',
    profile: settings.profile,
    accessTokenTtl: settings.accessTokenTtl,
    groups: settings.groups,
    accessTokenFormat: settings.accessTokenFormat,
    claims: settings.claims,
    note: 'development only: demo users and throw-away keys',
  });
  if ((settings.accessTokenFormat === 'opaque') !== (config.oidc.accessTokenVerify === 'introspection')) {
    logger.warn('dev_idp.mismatch', {
      message: `DEV_IDP_ACCESS_TOKEN_FORMAT=${settings.accessTokenFormat} with OIDC_ACCESS_TOKEN_VERIFY=${config.oidc.accessTokenVerify}: the API cannot verify the IdP's access tokens.`,
      fix: 'Set OIDC_ACCESS_TOKEN_VERIFY=introspection with opaque tokens, jwt with JWT tokens.',
    });
  }
  if (config.downstream.some((api) => api.baseUrl.origin === devReportsUrl)) {
    const reports = createReportsApi({ issuer: idp.issuer, audience: DEV_REPORTS.audience, scope: DEV_REPORTS.scope });
    const reportsServer = createServer(reports.handler);
    await new Promise<void>((resolveListen) => reportsServer.listen(DEV_REPORTS.port, resolveListen));
    logger.warn('dev_api.listening', { url: devReportsUrl, name: 'reports', audience: DEV_REPORTS.audience, note: 'development only' });
  }
} else {
  logger.info('dev_idp.skipped', { reason: `OIDC_ISSUER is ${config.oidc.issuer.origin}` });
}

await startApi(config, logger);

/** Whether `npm start` runs the development IdP: OIDC_ISSUER unset or its origin. */
function usesDevIdp(env: NodeJS.ProcessEnv): boolean {
  const issuer = env['OIDC_ISSUER']?.trim() || DEV_DEFAULTS.OIDC_ISSUER;
  return URL.canParse(issuer) && new URL(issuer).origin === devIssuer.origin;
}

/**
 * DEV_IDP_PROFILE=fapi2 with the development IdP: the API must speak FAPI 2.0 too, so
 * OIDC_PROFILE=fapi2 and, unless set, development keys from `.dev-keys/` (generated on
 * first run, kept across restarts, git-ignored). An API explicitly set to another
 * profile could not sign in at all: say so now rather than at the first login.
 */
function matchDevIdpProfile(env: NodeJS.ProcessEnv): void {
  if (env['DEV_IDP_PROFILE']?.trim() !== 'fapi2' || !usesDevIdp(env)) return;
  const profile = env['OIDC_PROFILE']?.trim();
  if (profile && profile !== 'fapi2') {
    process.stderr.write(
      `Invalid configuration:\n  - OIDC_PROFILE: is ${profile}, but DEV_IDP_PROFILE=fapi2 makes the development IdP accept only FAPI 2.0 clients; unset OIDC_PROFILE or set it to fapi2.\n`,
    );
    process.exit(1);
  }
  env['OIDC_PROFILE'] = 'fapi2';
  if (env['OIDC_CLIENT_PRIVATE_KEY']?.trim() && env['OIDC_DPOP_PRIVATE_KEY']?.trim()) return;
  const keys = writeDevClientKeys(resolve(repoRoot, '.dev-keys'));
  if (!env['OIDC_CLIENT_PRIVATE_KEY']?.trim()) env['OIDC_CLIENT_PRIVATE_KEY'] = keys.clientKey;
  if (!env['OIDC_DPOP_PRIVATE_KEY']?.trim()) env['OIDC_DPOP_PRIVATE_KEY'] = keys.dpopKey;
  logger.info('dev_idp.fapi2_keys', { clientKey: env['OIDC_CLIENT_PRIVATE_KEY'], dpopKey: env['OIDC_DPOP_PRIVATE_KEY'] });
}
