import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { createDevIdp, type DevIdp, type DevIdpClient, type DevIdpOptions } from '@bff/dev-idp';

/** The development IdP as tests and the benchmark run it, and the paths it was asked for. */
export interface TestIdp {
  readonly handler: RequestListener;
  /** Requests received, by path, in order. */
  readonly requests: string[];
  /** See {@link DevIdp.issueDownstreamToken}. */
  readonly issueDownstreamToken: DevIdp['issueDownstreamToken'];
}

/**
 * The development IdP with exactly the registration the API's configuration implies
 * (`idpRegistration`, as an administrator would enter it) plus any other clients,
 * recording every request's path. The one place tests, browser tests and the benchmark
 * build it.
 */
export async function createTestIdp(
  options: Omit<DevIdpOptions, 'clients'> & { readonly registration: DevIdpClient; readonly otherClients?: readonly DevIdpClient[] },
): Promise<TestIdp> {
  const { registration, otherClients = [], ...settings } = options;
  const idp = await createDevIdp({ ...settings, clients: [registration, ...otherClients] });
  const requests: string[] = [];
  return {
    requests,
    issueDownstreamToken: idp.issueDownstreamToken,
    handler: (req: IncomingMessage, res: ServerResponse) => {
      requests.push(new URL(req.url ?? '/', options.issuer).pathname);
      idp.handler(req, res);
    },
  };
}
