import { idpRegistration, loadConfig, type Env } from '@bff/server';
import type { DevIdpClient } from '@bff/dev-idp';
import { createTestIdp } from '@bff/test-kit';
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
// The test kit's IdP, in a process of its own so that it never shares a core with a measured server.
const idp = await createTestIdp({
  issuer: options.issuer,
  audience: options.audience,
  registration: idpRegistration(loadConfig(options.apiEnv)),
  otherClients: options.otherClients,
});

/** Interaction paths carry a random uid; one bucket is enough. */
function counts(): IdpCounts {
  const byPath: Record<string, number> = {};
  for (const path of idp.requests) {
    const key = path.startsWith('/interaction/') ? '/interaction/*' : path.startsWith('/auth/') ? '/auth/*' : path;
    byPath[key] = (byPath[key] ?? 0) + 1;
  }
  return { byPath };
}

const config = loadConfig(options.apiEnv);
/** A token for the reports API, for the runs that call it without the BFF (directly, or through the bare proxy). */
const reportsToken = async () => {
  const [api] = config.downstream;
  if (!api) throw new Error('no downstream API configured');
  return { token: await idp.issueDownstreamToken({ clientId: config.oidc.clientId, accountId: 'alice', target: api.audience ?? api.resource ?? '' }) };
};

await serve(idp.handler, { port: options.port, extra: { counts, reportsToken } });
