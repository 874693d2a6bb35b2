import { createDiscoveredApi, type BffServerOptions } from '../bff-api.js';
import { serve, serverOptions } from '../serve.js';
import { cacheVerifiedTokens } from './token-cache.js';

// Our real API with one change made from the outside: verified-token results cached until `exp`.
const options = serverOptions<BffServerOptions>();
const api = await createDiscoveredApi(options);
const tokenCache = await cacheVerifiedTokens(api);
await serve(api.app, { port: options.port, extra: { notes: () => ({ tokenCache: tokenCache() }) } });
