import { createReportsApi, DEV_REPORTS } from '@bff/dev-api';
import { serve, serverOptions } from './serve.js';

/** Options of the dev reports API child: the downstream API of the remote-proxy runs, and a measured server itself. */
export interface ReportsServerOptions {
  readonly port?: number;
  readonly issuer: string;
}

const options = serverOptions<ReportsServerOptions>();
const api = createReportsApi({ issuer: options.issuer, audience: DEV_REPORTS.audience, scope: DEV_REPORTS.scope });
await serve(api.handler, options.port === undefined ? {} : { port: options.port });
