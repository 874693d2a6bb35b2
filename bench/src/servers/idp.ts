import type { IncomingMessage, ServerResponse } from 'node:http';
import { idpRegistration, loadConfig, type Env } from '@bff/server';
import { createDevIdp, type DevIdpClient } from '@bff/dev-idp';
import { serve, serverOptions } from './serve.js';

/** Options the bench passes to the identity-provider child. */
export interface IdpServerOptions {
  readonly port: number;
  readonly issuer: string;
  readonly audience: string;
  /** The API's environment: its client is registered exactly as the API is configured. */
  readonly apiEnv: Env;
  readonly otherClients: readonly DevIdpClient[];
}

/** Request counts by path, answered to `counts`. */
export interface IdpCounts {
  readonly byPath: Readonly<Record<string, number>>;
}

const options = serverOptions<IdpServerOptions>();
const idp = await createDevIdp({
  issuer: options.issuer,
  audience: options.audience,
  clients: [idpRegistration(loadConfig(options.apiEnv)), ...options.otherClients],
});
const byPath: Record<string, number> = {};

await serve(
  (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', options.issuer).pathname;
    // Interaction paths carry a random uid; one bucket is enough.
    const key = path.startsWith('/interaction/') ? '/interaction/*' : path.startsWith('/auth/') ? '/auth/*' : path;
    byPath[key] = (byPath[key] ?? 0) + 1;
    idp.handler(req, res);
  },
  { port: options.port, extra: { counts: (): IdpCounts => ({ byPath: { ...byPath } }) } },
);
