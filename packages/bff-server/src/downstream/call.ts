import type { Readable } from 'node:stream';
import { request } from 'undici';
import { DownstreamUnauthorizedError, DownstreamUnavailableError, StepUpRequiredError } from '../errors.js';
import { parseChallenge } from '../authz/step-up.js';
import type { DownstreamApiConfig } from '../options/downstream.js';
import type { SessionData } from '../session/store.js';
import type { DownstreamTokens } from './tokens.js';
import type { DpopProofs } from './dpop.js';
import { injectTraceContext, inSpan, SpanKind, tracingOn, urlAttribute } from '../observability/tracing.js';

/** One request to a downstream API, before its token is added. */
export interface DownstreamRequest {
  readonly method: string;
  readonly url: URL;
  /** What the API is sent besides the token; never the browser's cookies or `Authorization`. */
  readonly headers: Readonly<Record<string, string>>;
  /** Buffered: it may be sent twice (once more after a renewed token). */
  readonly body?: Uint8Array | undefined;
}

/** The API's answer: status, headers, and the body as a stream the caller reads or destroys. */
export interface DownstreamAnswer {
  readonly status: number;
  /** Header values by lower-case name (several values joined as HTTP allows). */
  header(name: string): string | undefined;
  readonly body: Readable;
}

/**
 * Sends `request` to `api` with the user's token for it, with undici's `request` (Node's own
 * HTTP client, under its fetch): it follows no redirect (the token goes to the API's origin
 * only), and bounds the wait for the answer's headers and each silence of its body by the API's
 * timeout. fetch was measured first and cost the remote-API proxy about twice the CPU per call
 * of this (`npm run bench -- --only remote-proxy,bare-proxy`): a Request, a Response, web
 * streams and an AbortSignal per call. On a 401 the token is renewed once and the request sent
 * once more (and, in the FAPI 2.0 profile, once more with the DPoP nonce the API asked for).
 * A 401 with RFC 9470's `insufficient_user_authentication` challenge is not renewed: no token
 * of this sign-in will do, the user must sign in more strongly.
 *
 * @throws {DownstreamUnavailableError} when the API cannot be reached or does not answer in time.
 * @throws {DownstreamUnauthorizedError} when the API refuses the renewed token too (status 401).
 * @throws {StepUpRequiredError} when the API asks for a stronger or fresher sign-in (RFC 9470).
 */
export async function sendDownstream(
  tokens: DownstreamTokens,
  session: SessionData,
  api: DownstreamApiConfig,
  call: DownstreamRequest,
): Promise<DownstreamAnswer> {
  let token = await tokens.tokenFor(session, api);
  let nonceRetried = false;
  for (let renewed = false; ;) {
    const answer = await sendOnce(api, call, token, tokens.proofs);
    if (answer.status !== 401) return answer;
    answer.body.destroy();
    const challenge = parseChallenge(answer.header('www-authenticate'));
    if (challenge) throw new StepUpRequiredError(challenge, api.name);
    // RFC 9449 §9: the API wants a nonce in the proof; it sent one, which the next proof carries.
    if (tokens.proofs && !nonceRetried && /use_dpop_nonce/.test(answer.header('www-authenticate') ?? '')) {
      nonceRetried = true;
      continue;
    }
    if (renewed) throw new DownstreamUnauthorizedError(api.name, 'api_refused');
    renewed = true;
    token = await tokens.tokenFor(session, api, token);
  }
}

/**
 * One request in a client span `downstream <name>` (the API's configured name; the URL without
 * its query), whose W3C `traceparent` the API receives, so that its own spans join the trace.
 */
function sendOnce(api: DownstreamApiConfig, call: DownstreamRequest, token: string, proofs: DpopProofs | undefined): Promise<DownstreamAnswer> {
  if (!tracingOn()) return sendUntraced(api, call, token, proofs);
  return inSpan(
    `downstream ${api.name}`,
    {
      'bff.dependency': 'downstream',
      'bff.downstream.api': api.name,
      'http.request.method': call.method,
      'url.full': urlAttribute(call.url),
      'server.address': call.url.hostname,
    },
    async (span) => {
      const headers = { ...call.headers };
      injectTraceContext(headers);
      const answer = await sendUntraced(api, { ...call, headers }, token, proofs);
      span?.setAttribute('http.response.status_code', answer.status);
      return answer;
    },
    SpanKind.CLIENT,
  );
}

async function sendUntraced(api: DownstreamApiConfig, call: DownstreamRequest, token: string, proofs: DpopProofs | undefined): Promise<DownstreamAnswer> {
  const sendsBody = call.body !== undefined && call.method !== 'GET' && call.method !== 'HEAD';
  // A token bound to the DPoP key travels with a proof for this very request (RFC 9449 §7.1).
  const authorization = proofs
    ? { authorization: `DPoP ${token}`, dpop: await proofs.proof(call.method, call.url, token) }
    : { authorization: `Bearer ${token}` };
  try {
    const { statusCode, headers, body } = await request(call.url, {
      method: call.method as 'GET',
      headers: { ...call.headers, ...authorization },
      ...(sendsBody ? { body: call.body } : {}),
      headersTimeout: api.timeoutMs,
      bodyTimeout: api.timeoutMs,
    });
    // A body that breaks off later (the API went away, or fell silent past the timeout) is the API unavailable.
    body.on('error', () => undefined);
    const nonce = headers['dpop-nonce'];
    if (proofs && typeof nonce === 'string') proofs.remember(call.url.origin, nonce);
    return {
      status: statusCode,
      header: (name) => {
        const value = headers[name];
        return Array.isArray(value) ? value.join(', ') : value;
      },
      body,
    };
  } catch (error) {
    throw new DownstreamUnavailableError(api.name, { cause: error });
  }
}
