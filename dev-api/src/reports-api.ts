import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, createRemoteJWKSet, EmbeddedJWK, jwtVerify, type JWTPayload } from 'jose';

export interface ReportsApiOptions {
  /** The identity provider whose tokens the API accepts (its JWKS is found through discovery). */
  readonly issuer: string;
  /** The API's own audience: a token for any other (the BFF's own among them) is refused. */
  readonly audience: string;
  /** The scope every call needs. */
  readonly scope: string;
  /** Signature algorithms accepted. */
  readonly algorithms?: readonly string[];
  /**
   * FAPI 2.0: only DPoP-bound tokens (`cnf.jkt`), each with a proof of its key for this very
   * request (RFC 9449 §7: `DPoP` scheme, `htm`, `htu`, `ath`, a fresh `jti`).
   */
  readonly requireBoundTokens?: boolean;
}

export interface ReportsApi {
  readonly handler: RequestListener;
  /**
   * Refuses every token issued before `epochSeconds` from now on, as an API does after a key
   * rotation or a revocation: what the BFF's renew-and-retry path is tested with.
   */
  refuseTokensIssuedBefore(epochSeconds: number): void;
  /** The distinct tokens that reached the API and passed its checks. */
  readonly tokensSeen: ReadonlySet<string>;
}

/** A report as the API serves it. */
export interface ReportSummary {
  readonly id: string;
  readonly title: string;
  readonly period: string;
  readonly total: number;
  readonly currency: string;
}

const SUMMARIES: readonly ReportSummary[] = [
  { id: 'q3-retail', title: 'Retail deposits', period: '2026-Q3', total: 1_284_000_000, currency: 'EUR' },
  { id: 'q3-lending', title: 'Mortgage lending', period: '2026-Q3', total: 932_500_000, currency: 'EUR' },
  { id: 'q3-cards', title: 'Card payments', period: '2026-Q3', total: 211_750_000, currency: 'EUR' },
];

const SSE_EVENTS = 3;
/** What `GET /exports` requires of the token's `acr` (the development IdP's second factor). */
const EXPORT_ACR = 'urn:bff:loa:mfa';

/**
 * The development reports API: a resource server that verifies each bearer token with jose
 * against the identity provider's JWKS and requires its own audience and scope. It serves
 * `GET /whoami` (who the token says the caller is, and the names of the request headers that
 * arrived), `GET /summaries`, `GET /summaries/<id>`, `GET /events` (server-sent events) and
 * `GET /exports`, which needs a second-factor sign-in (`acr` `urn:bff:loa:mfa`, else RFC 9470's
 * `insufficient_user_authentication` challenge).
 */
export function createReportsApi(options: ReportsApiOptions): ReportsApi {
  let jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  let notBefore = 0;
  const tokensSeen = new Set<string>();
  const keys = async () => {
    if (jwks) return jwks;
    const discovery = await fetch(new URL('.well-known/openid-configuration', options.issuer.endsWith('/') ? options.issuer : `${options.issuer}/`));
    const { jwks_uri } = (await discovery.json()) as { jwks_uri?: string };
    if (!jwks_uri) throw new Error('no jwks_uri');
    jwks = createRemoteJWKSet(new URL(jwks_uri));
    return jwks;
  };

  const proofsSeen = new Set<string>();
  /** RFC 9449 §4.3: the proof is a JWT of this key, for this method and URL, this token, and recent. */
  const proofMatches = async (req: IncomingMessage, token: string, jkt: unknown): Promise<boolean> => {
    const proof = req.headers['dpop'];
    if (typeof proof !== 'string' || typeof jkt !== 'string') return false;
    try {
      const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', maxTokenAge: 60, clockTolerance: 5 });
      const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
      if (payload['htm'] !== req.method || payload['htu'] !== `${url.origin}${url.pathname}`) return false;
      if (payload['ath'] !== createHash('sha256').update(token).digest('base64url')) return false;
      if (!protectedHeader.jwk || (await calculateJwkThumbprint(protectedHeader.jwk)) !== jkt) return false;
      const jti = typeof payload.jti === 'string' ? payload.jti : '';
      if (!jti || proofsSeen.has(jti)) return false;
      proofsSeen.add(jti);
      if (proofsSeen.size > 10_000) proofsSeen.clear();
      return true;
    } catch {
      return false;
    }
  };

  const verify = async (req: IncomingMessage): Promise<JWTPayload | 'invalid_token' | 'insufficient_scope'> => {
    const [scheme = '', token = ''] = (req.headers.authorization ?? '').split(' ');
    if (!/^(bearer|dpop)$/i.test(scheme) || !token) return 'invalid_token';
    if (options.requireBoundTokens && !/^dpop$/i.test(scheme)) return 'invalid_token';
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await keys(), {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: [...(options.algorithms ?? ['RS256', 'ES256', 'PS256'])],
      }));
    } catch {
      return 'invalid_token';
    }
    if ((payload.iat ?? 0) < notBefore) return 'invalid_token';
    if (options.requireBoundTokens && !(await proofMatches(req, token, (payload['cnf'] as { jkt?: unknown } | undefined)?.jkt))) return 'invalid_token';
    const scopes = typeof payload['scope'] === 'string' ? payload['scope'].split(' ') : [];
    if (!scopes.includes(options.scope)) return 'insufficient_scope';
    tokensSeen.add(token);
    return payload;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const { pathname } = new URL(req.url ?? '/', 'http://reports');
    const claims = await verify(req);
    if (typeof claims === 'string') {
      const scheme = options.requireBoundTokens ? 'DPoP algs="ES256 PS256",' : 'Bearer';
      res.writeHead(claims === 'invalid_token' ? 401 : 403, { 'www-authenticate': `${scheme} error="${claims}"`, 'cache-control': 'no-store' }).end();
      return;
    }
    if (req.method !== 'GET') {
      json(res, 405, { error: 'method_not_allowed' });
      return;
    }
    if (pathname === '/whoami') {
      json(res, 200, {
        sub: claims.sub,
        aud: claims.aud,
        scope: claims['scope'],
        acr: claims['acr'] ?? null,
        /** Bound to a DPoP key (`cnf.jkt`), whose proof came with the call. */
        bound: typeof (claims['cnf'] as { jkt?: unknown } | undefined)?.jkt === 'string',
        headers: Object.keys(req.headers).sort(),
        /** The W3C trace context the caller propagated (ids, not data): how a test sees the call joined its trace. */
        traceparent: req.headers.traceparent ?? null,
      });
      return;
    }
    if (pathname === '/exports') {
      // A sensitive read: a second factor is required, asked for with RFC 9470's challenge (no renewal of this token will do).
      if (claims['acr'] !== EXPORT_ACR) {
        res
          .writeHead(401, {
            'www-authenticate': `Bearer error="insufficient_user_authentication", error_description="A second factor is required", acr_values="${EXPORT_ACR}"`,
            'cache-control': 'no-store',
          })
          .end();
        return;
      }
      json(res, 200, { owner: claims.sub, exported: SUMMARIES.map((summary) => summary.id) });
      return;
    }
    if (pathname === '/summaries') {
      json(res, 200, { owner: claims.sub, summaries: SUMMARIES });
      return;
    }
    const one = /^\/summaries\/([\w-]+)$/.exec(pathname);
    if (one) {
      const summary = SUMMARIES.find((candidate) => candidate.id === one[1]);
      if (summary) json(res, 200, summary);
      else json(res, 404, { error: 'not_found' });
      return;
    }
    if (pathname === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      let sent = 0;
      const timer = setInterval(() => {
        sent += 1;
        res.write(`id: ${sent}\ndata: ${JSON.stringify({ report: SUMMARIES[sent % SUMMARIES.length]?.id, n: sent })}\n\n`);
        if (sent >= SSE_EVENTS) {
          clearInterval(timer);
          res.end();
        }
      }, 20);
      res.once('close', () => clearInterval(timer));
      return;
    }
    json(res, 404, { error: 'not_found' });
  };

  return {
    handler: (req, res) => {
      handle(req, res).catch(() => {
        if (!res.headersSent) json(res, 500, { error: 'internal_error' });
        else res.destroy();
      });
    },
    refuseTokensIssuedBefore: (epochSeconds) => {
      notBefore = epochSeconds;
    },
    tokensSeen,
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}
