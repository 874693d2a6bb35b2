import type { VerifyResult } from '../../../../server/src/auth/verify-token.js';
import { createDiscoveredApi, type BffServerOptions } from '../bff-api.js';
import { serve, serverOptions } from '../serve.js';

/**
 * Our real API with one change, made from the outside: verified-token results are
 * cached, keyed by the whole token, until the token's `exp`. It works because the
 * app holds the very `OidcService` object `createApi` returns; the `notes` reply
 * shows the hits, so a refactor that defeats the patch shows as zero hits.
 */
const MAX_ENTRIES = 10_000;

const options = serverOptions<BffServerOptions>();
const api = await createDiscoveredApi(options);
const idp = await api.oidc.get();
const verify = idp.verifyAccessToken;
const cache = new Map<string, { readonly result: VerifyResult; readonly untilMs: number }>();
let hits = 0;
let misses = 0;

const cachedIdp = {
  ...idp,
  verifyAccessToken: async (token: string): Promise<VerifyResult> => {
    const entry = cache.get(token);
    if (entry && entry.untilMs > Date.now()) {
      hits += 1;
      return entry.result;
    }
    misses += 1;
    const result = await verify(token);
    if (result.ok) {
      if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value ?? '');
      cache.set(token, { result, untilMs: result.claims.exp * 1000 });
    }
    return result;
  },
};
api.oidc.get = () => Promise.resolve(cachedIdp);

await serve(api.app, { port: options.port, extra: { notes: () => ({ tokenCache: { hits, misses } }) } });
