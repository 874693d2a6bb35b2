import { createServer } from 'node:http';
import { configFromEnvironment, startApi } from './main.js';
import { DEV_DEFAULTS } from './config.js';
import { clientForApi, createDevIdp } from './dev-idp/provider.js';
import { createLogger } from './log.js';

/**
 * `npm start`: the development identity provider on :4000 and the API on :3000,
 * configured to work together with no environment at all. With OIDC_ISSUER set
 * to another IdP, only the API starts.
 */
const logger = createLogger();
const config = configFromEnvironment();
const devIssuer = new URL(DEV_DEFAULTS.OIDC_ISSUER);

const ttlSetting = process.env['DEV_IDP_ACCESS_TOKEN_TTL'];
const accessTokenTtl = ttlSetting ? Number(ttlSetting) : 3600;
if (!Number.isInteger(accessTokenTtl) || accessTokenTtl < 1) {
  process.stderr.write(`Invalid configuration:\n  - DEV_IDP_ACCESS_TOKEN_TTL: must be a whole number of seconds, at least 1 (e.g. 30), not "${ttlSetting}".\n`);
  process.exit(1);
}

if (config.oidc.issuer.origin === devIssuer.origin) {
  const idp = await createDevIdp({ issuer: devIssuer.origin, audience: config.oidc.audience, clients: [clientForApi(config)], accessTokenTtl });
  const server = createServer(idp.handler);
  await new Promise<void>((resolve) => server.listen(Number(devIssuer.port), resolve));
  logger.warn('dev_idp.listening', { issuer: idp.issuer, users: 'alice/alice (analysts), bob/bob', accessTokenTtl, note: 'development only: demo users and throw-away keys' });
} else {
  logger.info('dev_idp.skipped', { reason: `OIDC_ISSUER is ${config.oidc.issuer.origin}` });
}

await startApi(config, logger);
