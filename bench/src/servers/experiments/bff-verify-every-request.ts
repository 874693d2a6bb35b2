import { createRemoteJWKSet, jwtVerify } from 'jose';
import { createDiscoveredApi, type BffServerOptions } from '../bff-api.js';
import { serve, serverOptions } from '../serve.js';

/**
 * Our real API as it was before it cached verified tokens: every request pays a
 * full `jwtVerify` (signature, claims) of the session's access token again, with
 * the API's own key set and the same checks. Together with `guarded-me`, this
 * measures what the cache gains. The `notes` reply counts the verifications, so a
 * refactor that routes around the wrapper shows as zero.
 */
const options = serverOptions<BffServerOptions>();
const api = await createDiscoveredApi(options);
const idp = await api.oidc.get();
const keys = createRemoteJWKSet(new URL(idp.metadata.jwks_uri ?? ''));
const checks = {
  issuer: idp.metadata.issuer,
  audience: api.config.oidc.audience,
  algorithms: [...api.config.oidc.algorithms],
  clockTolerance: 5,
  requiredClaims: ['sub', 'exp', 'iat'],
};
let verifications = 0;
const tokens = idp.tokens;
const uncachedIdp = {
  ...idp,
  tokens: Object.assign(Object.create(tokens) as typeof tokens, {
    verifyAccessToken: async (token: string) => {
      verifications += 1;
      await jwtVerify(token, keys, checks);
      return tokens.verifyAccessToken(token);
    },
  }),
};
api.oidc.get = () => Promise.resolve(uncachedIdp);

await serve(api.handler, { port: options.port, extra: { notes: () => ({ verifications }) } });
