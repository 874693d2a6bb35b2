import { createServer } from 'node:http';
import { configFromEnvironment, startApi } from './main.js';
import { clientForApi, createDevIdp } from './dev-idp/provider.js';
import { createLogger } from './log.js';

/**
 * `npm start`: the development identity provider on :4000 and the API on :3000,
 * configured to work together with no environment at all.
 */
const logger = createLogger();
const config = configFromEnvironment();
const idpUrl = new URL(process.env['DEV_IDP_ISSUER'] ?? 'http://localhost:4000');

if (config.oidc.issuer.origin === idpUrl.origin) {
  const idp = await createDevIdp({
    issuer: idpUrl.origin,
    audience: config.oidc.audience,
    clients: [clientForApi(config)],
    accessTokenTtl: Number(process.env['DEV_IDP_ACCESS_TOKEN_TTL'] ?? 3600),
  });
  const server = createServer(idp.handler);
  await new Promise<void>((resolve) => server.listen(Number(idpUrl.port || 80), resolve));
  logger.warn('dev_idp.listening', { issuer: idp.issuer, users: 'alice/alice (analysts), bob/bob', note: 'development only: demo users and throw-away keys' });
} else {
  logger.info('dev_idp.skipped', { reason: `OIDC_ISSUER is ${config.oidc.issuer.origin}` });
}

await startApi(config, logger);
