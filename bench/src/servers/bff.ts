import { createDiscoveredApi, type BffServerOptions } from './bff-api.js';
import { serve, serverOptions } from './serve.js';

const options = serverOptions<BffServerOptions>();
const api = await createDiscoveredApi(options);
await serve(api.handler, { port: options.port });
