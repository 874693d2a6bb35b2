import { createOidcService } from '../oidc/discovery.js';
import { exchangeToken, ResponseBodyError } from '../oidc/flows.js';
import { describeError, IdpUnavailableError } from '../errors.js';
import { createLogger } from '../log.js';
import type { DownstreamApiConfig } from '../options/downstream.js';
import type { Config } from './env.js';
import type { Finding } from './finding.js';
import { TOKEN_EXCHANGE_GRANT } from './registration.js';

/** What the IdP answers a token exchange whose subject token is made up, when the client may exchange: the token is refused, not the client. */
const SUBJECT_REFUSED = new Set(['invalid_grant', 'invalid_token']);

/**
 * The downstream APIs (`DOWNSTREAM_APIS`) against the live network: each API answers at its
 * base URL (and refuses a call without a token), and the IdP will issue tokens for it: for
 * `exchange`, it offers RFC 8693 and lets this client exchange (probed with a made-up subject
 * token, which a client allowed to exchange gets refused as a bad grant, and any other client
 * as unauthorized); for `resource`, the resource is asked for at sign-in and granted there.
 */
export async function downstreamFindings(config: Config, options: { fetch?: typeof fetch } = {}): Promise<Finding[]> {
  if (config.downstream.length === 0) return [];
  const findings: Finding[] = [];
  for (const api of config.downstream) findings.push(await reachability(api, options.fetch ?? fetch));
  if (!config.downstream.some((api) => api.token === 'exchange')) {
    for (const api of config.downstream) findings.push(tokenFinding(api, config));
    return findings;
  }
  const oidc = createOidcService({ ...config.oidc, logger: createLogger({ destination: { write: () => true } }) });
  let idp;
  try {
    idp = await oidc.get();
  } catch (error) {
    // Discovery's own finding already says the IdP cannot be reached.
    if (error instanceof IdpUnavailableError) return findings;
    throw error;
  } finally {
    oidc.stop();
  }
  const grants = Array.isArray(idp.metadata.grant_types_supported) ? idp.metadata.grant_types_supported : undefined;
  for (const api of config.downstream) {
    if (api.token !== 'exchange') {
      findings.push(tokenFinding(api, config));
      continue;
    }
    if (grants && !grants.includes(TOKEN_EXCHANGE_GRANT)) {
      findings.push({
        severity: 'error',
        check: 'downstream',
        message: `"${api.name}" gets its token by exchange, but the IdP does not offer token exchange (grant_types_supported lacks ${TOKEN_EXCHANGE_GRANT}).`,
        fix: `Enable OAuth 2.0 Token Exchange (RFC 8693) at the IdP, or set "token": "resource" for "${api.name}" in DOWNSTREAM_APIS.`,
      });
      continue;
    }
    try {
      await exchangeToken(idp, `doctor-probe-${Date.now()}`, { audience: api.audience, resource: api.resource, scope: api.scopes.join(' ') });
      findings.push({
        severity: 'error',
        check: 'downstream',
        message: `The IdP exchanged a made-up subject token for a token for "${api.name}".`,
        fix: "The IdP's token exchange cannot be trusted; check its configuration.",
      });
    } catch (error) {
      if (error instanceof ResponseBodyError && SUBJECT_REFUSED.has(error.error)) {
        findings.push({
          severity: 'ok',
          check: 'downstream',
          message: `Client ${config.oidc.clientId} may exchange users' tokens for "${api.name}" (${api.audience ?? api.resource ?? ''}): a made-up subject token is refused as ${error.error}.`,
        });
      } else if (error instanceof ResponseBodyError && error.error === 'invalid_request') {
        // RFC 8693 §2.2.2 answers a bad subject token with invalid_request, which some IdPs also answer to a client that may not exchange.
        findings.push({
          severity: 'warn',
          check: 'downstream',
          message: `The IdP answered a token exchange for "${api.name}" with a made-up subject token with invalid_request: the token was refused, or client ${config.oidc.clientId} may not exchange.`,
          fix: `Confirm at the IdP that client ${config.oidc.clientId} is allowed the grant type ${TOKEN_EXCHANGE_GRANT} with audience ${api.audience ?? api.resource ?? ''}.`,
        });
      } else {
        const refused = error instanceof ResponseBodyError ? `HTTP ${error.status} ${error.error}` : describeError(error);
        findings.push({
          severity: 'error',
          check: 'downstream',
          message: `The IdP refused client ${config.oidc.clientId} a token exchange for "${api.name}" (${refused}).`,
          fix: `At the IdP, allow client ${config.oidc.clientId} the grant type ${TOKEN_EXCHANGE_GRANT} with audience ${api.audience ?? api.resource ?? ''}${api.scopes.length ? ` and scope ${api.scopes.join(' ')}` : ''}.`,
        });
      }
    }
  }
  return findings;
}

async function reachability(api: DownstreamApiConfig, get: typeof fetch): Promise<Finding> {
  let response: Response;
  try {
    response = await get(api.baseUrl, { redirect: 'manual', signal: AbortSignal.timeout(api.timeoutMs) });
  } catch (error) {
    return {
      severity: 'error',
      check: 'downstream',
      message: `Cannot reach "${api.name}" at ${api.baseUrl.href} (${describeError(error)}).`,
      fix: `Check "baseUrl" of "${api.name}" in DOWNSTREAM_APIS, DNS, firewalls and proxies between the API and it.`,
    };
  }
  await response.body?.cancel().catch(() => undefined);
  if (response.status === 401 || response.status === 403)
    return {
      severity: 'ok',
      check: 'downstream',
      message: `"${api.name}" answers at ${api.baseUrl.href} and refuses a call without a token (HTTP ${response.status}).`,
    };
  if (response.ok)
    return {
      severity: 'warn',
      check: 'downstream',
      message: `"${api.name}" answers ${api.baseUrl.href} with HTTP ${response.status} to a call without a token.`,
      fix: `Check that "${api.name}" verifies tokens on every path: the BFF sends it the user's token, but the API must refuse calls without one.`,
    };
  return { severity: 'ok', check: 'downstream', message: `"${api.name}" answers at ${api.baseUrl.href} (HTTP ${response.status} without a token).` };
}

function tokenFinding(api: DownstreamApiConfig, config: Config): Finding {
  if (api.token === 'session')
    return {
      severity: 'info',
      check: 'downstream',
      message: `"${api.name}" is sent the session's own access token (aud ${config.oidc.audience}): it must accept that audience, and it sees the same token as the BFF.`,
    };
  return {
    severity: 'info',
    check: 'downstream',
    message: `"${api.name}" gets its token from the refresh token with resource ${api.resource ?? ''} (RFC 8707), asked for at sign-in: users signed in before it was configured get it at their next sign-in.`,
  };
}
