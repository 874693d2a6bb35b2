/**
 * `npm start` (the server's `dev` task): the development identity provider on :4000
 * and the API on :3000, configured to work together with nothing set. The environment
 * and the repository's `.env` configure both (the environment wins). With OIDC_ISSUER
 * set to another IdP, only the API starts. Development only: never built, never shipped.
 */
import { createServer } from 'node:http';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEV_DEFAULTS } from '@bff/shared';
import { createDevIdp, devIdpSettings, DevIdpSettingsError } from '@bff/dev-idp';
import { configFromEnvironment, loadDotEnv } from '../src/config/load.js';
import { idpRegistration } from '../src/config/registration.js';
import { startApi } from '../src/api.js';
import { createLogger } from '../src/log.js';

loadDotEnv([resolve(fileURLToPath(import.meta.url), '../../../.env')]);
const logger = createLogger();
const config = configFromEnvironment();
const devIssuer = new URL(DEV_DEFAULTS.OIDC_ISSUER);

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
  });
  const server = createServer(idp.handler);
  await new Promise<void>((resolveListen) => server.listen(Number(devIssuer.port), resolveListen));
  logger.warn('dev_idp.listening', { issuer: idp.issuer, users: 'alice/alice (analysts), bob/bob', accessTokenTtl: settings.accessTokenTtl, note: 'development only: demo users and throw-away keys' });
} else {
  logger.info('dev_idp.skipped', { reason: `OIDC_ISSUER is ${config.oidc.issuer.origin}` });
}

await startApi(config, logger);
