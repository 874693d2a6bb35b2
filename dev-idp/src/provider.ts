import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, jwtVerify, type JWK } from 'jose';
import Provider, { errors, interactionPolicy, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import validateDpop, { checkDpopReplay } from 'oidc-provider/lib/helpers/validate_dpop.js';
import { authenticate, DEMO_ACCOUNTS, DEMO_ONE_TIME_CODE, DEV_ACR, demoGroupDn, findAccountBySub, type DemoAccount } from './accounts.js';
import { enableFrontchannelLogout, FRONTCHANNEL_CLIENT_METADATA, FRONTCHANNEL_DISCOVERY } from './frontchannel-logout.js';
import { codePage, loginPage, logoutPage, messagePage } from './pages.js';
import { accessTokenCustomizer, enterpriseShapes, SCOPE_AUDIENCE_RESOURCE } from './enterprise-shapes.js';
import type {
  DevIdpAccessTokenFormat,
  DevIdpAccessTokenTyp,
  DevIdpAudience,
  DevIdpClaims,
  DevIdpIntrospection,
  DevIdpRefresh,
  DevIdpGroupClaims,
  DevIdpLogout,
  DevIdpLogoutReturn,
  DevIdpProfile,
  DevIdpSecondFactor,
  DevIdpUserinfoSub,
} from './settings.js';

/** A client registered at the development identity provider. */
export interface DevIdpClient {
  readonly clientId: string;
  /** Absent for a client that authenticates with its key (`private_key_jwt`). */
  readonly clientSecret?: string | undefined;
  /** `client_secret_post` (default) or `private_key_jwt` (with `jwksUri`). */
  readonly tokenEndpointAuthMethod?: 'client_secret_post' | 'private_key_jwt';
  /** Where the IdP reads the client's public keys, for `private_key_jwt`. */
  readonly jwksUri?: string;
  /** The algorithm of its client assertions, for `private_key_jwt`. */
  readonly tokenEndpointAuthSigningAlg?: (typeof FAPI2_ALGORITHMS)[number];
  /** Access tokens only with a DPoP proof (RFC 9449); always so in the `fapi2` profile. */
  readonly dpopBoundAccessTokens?: boolean;
  /** Authorization requests only through PAR (RFC 9126); always so in the `fapi2` profile. */
  readonly requirePushedAuthorizationRequests?: boolean;
  readonly redirectUris: readonly string[];
  readonly postLogoutRedirectUris: readonly string[];
  /** Where the IdP posts logout tokens (OIDC Back-Channel Logout); unused with `logout: 'frontchannel'`. */
  readonly backchannelLogoutUri?: string;
  /** The page the IdP's logout page loads in an iframe (OIDC Front-Channel Logout), with `logout: 'frontchannel'`. */
  readonly frontchannelLogoutUri?: string;
  /** Default `authorization_code` and `refresh_token`; RFC 8693's token-exchange grant type lets the client exchange its users' tokens. */
  readonly grantTypes?: readonly string[];
  /**
   * The downstream APIs registered for this client: each `target` becomes a resource server
   * of the IdP (its `aud`), with these scopes, issuing JWT access tokens. A client with the
   * token-exchange grant type may exchange its users' access tokens for them.
   */
  readonly downstream?: readonly { readonly target: string; readonly scopes: readonly string[] }[];
}

export interface DevIdpOptions {
  /** Issuer identifier, e.g. `http://localhost:4000`. */
  readonly issuer: string;
  readonly clients: readonly DevIdpClient[];
  /** The API's resource identifier: the `aud` of every access token. */
  readonly audience: string;
  /** Private signing key (RS256; ES256 or PS256 in the `fapi2` profile). A fresh one is generated when absent. */
  readonly signingKey?: JWK;
  /** `fapi2`: enforce the FAPI 2.0 Security Profile (see {@link DevIdpProfile}). Default `oidc`. */
  readonly profile?: DevIdpProfile;
  /** Access-token lifetime in seconds. */
  readonly accessTokenTtl?: number;
  /**
   * Refresh-token lifetime in seconds (default a day). Shorter than the IdP session, as enterprise SSOs
   * often set it: the API's session then ends at a refresh while the user is still signed in at the IdP.
   */
  readonly refreshTokenTtl?: number;
  /** Offer pushed authorization requests (RFC 9126); on by default, as at most enterprise IdPs. */
  readonly pushedAuthorizationRequests?: boolean;
  /** How access tokens carry groups: `names` (default), `dns`, `none` or `joined` (see {@link DevIdpGroupClaims}). */
  readonly groups?: DevIdpGroupClaims;
  /** `jwt` (default) or `opaque`; opaque tokens come with the introspection endpoint (RFC 7662) for the token's own client. */
  readonly accessTokenFormat?: DevIdpAccessTokenFormat;
  /** `id_token` (default): name and email in the ID token too; `userinfo`: only at the userinfo endpoint (see {@link DevIdpClaims}). */
  readonly claims?: DevIdpClaims;
  /** A test hook: `other` makes userinfo answer another `sub` than the access token's (see {@link DevIdpUserinfoSub}). */
  readonly userinfoSub?: DevIdpUserinfoSub;
  /** `always` (default), or `with_state`: back to `post_logout_redirect_uri` only with `state` (see {@link DevIdpLogoutReturn}). */
  readonly logoutReturn?: DevIdpLogoutReturn;
  /** `backchannel` (default) or `frontchannel`: how a sign-out at the IdP reaches the clients (see {@link DevIdpLogout}). */
  readonly logout?: DevIdpLogout;
  /** `api` (default), or `scope`: `aud` is the scope string unless a resource is asked (see {@link DevIdpAudience}). */
  readonly audienceFrom?: DevIdpAudience;
  /** `at+jwt` (default), or `JWT` with an `aud` array (see {@link DevIdpAccessTokenTyp}). */
  readonly accessTokenTyp?: DevIdpAccessTokenTyp;
  /** A token revocation endpoint (RFC 7009); on by default. */
  readonly revocation?: boolean;
  /** `rotate` (default), or `reuse`: refresh tokens not rotated, refreshed ID tokens without `nonce` (see {@link DevIdpRefresh}). */
  readonly refresh?: DevIdpRefresh;
  /** `full` (default), or `minimal`: introspection answers without `aud` and groups (see {@link DevIdpIntrospection}). */
  readonly introspection?: DevIdpIntrospection;
  /** When the demo users are asked their one-time code: `on_request` (default), `always` or `ignore` (see {@link DevIdpSecondFactor}). */
  readonly secondFactor?: DevIdpSecondFactor;
}

export interface DevIdp {
  readonly issuer: string;
  readonly provider: Provider;
  /** Node request handler serving the provider and its login pages. */
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  /**
   * A JWT access token for one of a client's registered downstream APIs, exactly as the token
   * endpoint would issue it after an exchange: for the reports API's own tests and the benchmark,
   * which call that API without a sign-in.
   */
  issueDownstreamToken(options: { readonly clientId: string; readonly accountId: string; readonly target: string }): Promise<string>;
}

const RESOURCE_SCOPE = 'api';
/** RFC 8693 §2.1, §3. */
const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const USERINFO_PATH = '/me';
const END_SESSION_PATH = '/session/end';
const INTERACTION_PATH = /^\/interaction\/([\w-]+)(\/login|\/code)?$/;
const MAX_FORM_BYTES = 4096;

/** Signature algorithms of the FAPI 2.0 profile: the IdP's tokens, client assertions and DPoP proofs. */
const FAPI2_ALGORITHMS = ['ES256', 'PS256'] as const;
const SIGNING_ALGORITHMS = ['RS256', ...FAPI2_ALGORITHMS] as const;
type DevSigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

/** Generates a signing key for the development identity provider: RS256, or ES256/PS256 for the `fapi2` profile. */
export async function generateDevSigningKey(alg: DevSigningAlgorithm = 'RS256'): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return { ...(await exportJWK(privateKey)), alg, use: 'sig', kid: randomUUID() };
}

/** The signing key's algorithm, checked against the profile. */
function signingAlgorithm(key: JWK, fapi2: boolean): DevSigningAlgorithm {
  const alg = key.alg ?? 'RS256';
  const allowed: readonly string[] = fapi2 ? FAPI2_ALGORITHMS : SIGNING_ALGORITHMS;
  if (!allowed.includes(alg))
    throw new TypeError(`The development IdP signs with ${allowed.join(' or ')}${fapi2 ? ' in the FAPI 2.0 profile' : ''}; the signing key is ${alg}.`);
  return alg as DevSigningAlgorithm;
}

/** The claims an access token carries besides the standard ones: the login, and groups in the configured shape. */
function accessTokenClaims(account: DemoAccount, groups: DevIdpGroupClaims): Record<string, unknown> {
  const claims: Record<string, unknown> = { preferred_username: account.login };
  if (groups === 'names') claims['groups'] = [...account.groups];
  if (groups === 'dns') claims['memberOf'] = account.groups.map(demoGroupDn);
  if (groups === 'joined') claims['groups'] = account.memberships.join(',');
  return claims;
}

/**
 * Builds the development OpenID Provider: demo users, first-party clients that
 * skip consent, PKCE required, access tokens carrying `preferred_username` and
 * groups; RFC 9068 JWTs by default, or opaque tokens with introspection.
 * For development and tests only.
 */
export async function createDevIdp(options: DevIdpOptions): Promise<DevIdp> {
  const fapi2 = options.profile === 'fapi2';
  const signingKey = options.signingKey ?? (await generateDevSigningKey(fapi2 ? 'ES256' : 'RS256'));
  const signingAlg = signingAlgorithm(signingKey, fapi2);
  const accessTokenTTL = options.accessTokenTtl ?? 3600;
  const groupClaims = options.groups ?? 'names';
  const opaque = options.accessTokenFormat === 'opaque';
  const frontchannel = options.logout === 'frontchannel';
  const scopeAudience = options.audienceFrom === 'scope';
  const secondFactor = options.secondFactor ?? 'on_request';
  const interactions = new Interactions(secondFactor);
  // The downstream APIs every client registered: resource servers of their own, never the API's audience.
  const downstream = new Map<string, Set<string>>();
  for (const client of options.clients)
    for (const { target, scopes } of client.downstream ?? [])
      if (target !== options.audience) downstream.set(target, new Set([...(downstream.get(target) ?? []), ...scopes]));
  const downstreamScopes = [...new Set([...downstream.values()].flatMap((scopes) => [...scopes]))];
  const downstreamServer = (target: string) => ({
    audience: target,
    scope: [...(downstream.get(target) ?? [])].join(' '),
    accessTokenTTL,
    accessTokenFormat: 'jwt' as const,
    jwt: { sign: { alg: signingAlg } },
  });

  const configuration: Configuration = {
    clients: options.clients.map((client) => ({
      client_id: client.clientId,
      ...(client.clientSecret ? { client_secret: client.clientSecret } : {}),
      redirect_uris: [...client.redirectUris],
      post_logout_redirect_uris: [...client.postLogoutRedirectUris],
      grant_types: [...(client.grantTypes ?? ['authorization_code', 'refresh_token'])],
      response_types: ['code'],
      token_endpoint_auth_method: client.tokenEndpointAuthMethod ?? 'client_secret_post',
      id_token_signed_response_alg: signingAlg,
      // Every ID token says when the user signed in, as step-up's max_age checks need.
      require_auth_time: true,
      ...(client.jwksUri ? { jwks_uri: client.jwksUri } : {}),
      ...(client.tokenEndpointAuthSigningAlg ? { token_endpoint_auth_signing_alg: client.tokenEndpointAuthSigningAlg } : {}),
      ...(fapi2 || client.dpopBoundAccessTokens ? { dpop_bound_access_tokens: true } : {}),
      ...(fapi2 || client.requirePushedAuthorizationRequests ? { require_pushed_authorization_requests: true } : {}),
      ...(client.backchannelLogoutUri && !frontchannel
        ? { backchannel_logout_uri: client.backchannelLogoutUri, backchannel_logout_session_required: true }
        : {}),
      ...(client.frontchannelLogoutUri && frontchannel
        ? { frontchannel_logout_uri: client.frontchannelLogoutUri, frontchannel_logout_session_required: true }
        : {}),
    })),
    extraClientMetadata: { properties: [...FRONTCHANNEL_CLIENT_METADATA] },
    ...(frontchannel ? { discovery: { ...FRONTCHANNEL_DISCOVERY } } : {}),
    // Refresh tokens for every client allowed the grant, rotated on each use.
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: () => options.refresh !== 'reuse',
    formats: { customizers: { jwt: accessTokenCustomizer(options.accessTokenTyp ?? 'at+jwt') as never } },
    jwks: { keys: [signingKey] },
    cookies: { keys: ['development-only-cookie-key-not-for-production'] },
    pkce: { required: () => true },
    // FAPI 2.0 (§5.3.2.1, §5.4.1): private_key_jwt only, and ES256/PS256 for every signature.
    ...(fapi2
      ? {
          clientAuthMethods: ['private_key_jwt'],
          enabledJWA: {
            clientAuthSigningAlgValues: [...FAPI2_ALGORITHMS],
            dPoPSigningAlgValues: [...FAPI2_ALGORITHMS],
            idTokenSigningAlgValues: [...FAPI2_ALGORITHMS],
            requestObjectSigningAlgValues: [...FAPI2_ALGORITHMS],
          },
        }
      : {}),
    ttl: {
      AccessToken: accessTokenTTL,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 3600,
      Session: 24 * 3600,
      Grant: 24 * 3600,
      RefreshToken: options.refreshTokenTtl ?? 24 * 3600,
    },
    conformIdTokenClaims: false,
    claims: {
      // acr in every ID token, asked for or not, as enterprise SSOs do: the API's step-up checks it (S29).
      openid: ['sub', 'acr'],
      // With `joined`, the ID token and userinfo carry the memberships as an array (the access token joins them).
      profile: groupClaims === 'joined' ? ['name', 'groups'] : ['name'],
      email: ['email', 'email_verified'],
    },
    scopes: ['openid', 'profile', 'email', RESOURCE_SCOPE, ...downstreamScopes],
    findAccount: (_ctx, sub) => {
      const account = findAccountBySub(sub);
      if (!account) return undefined;
      return {
        accountId: account.sub,
        // oidc-provider's conformIdTokenClaims keeps scope claims in the ID token whenever the access token has an
        // audience (all of this IdP's do): the `userinfo` mode leaves them out of the ID token itself.
        claims: (use: string) =>
          options.claims === 'userinfo' && use === 'id_token'
            ? { sub: account.sub }
            : {
                sub: account.sub,
                name: account.name,
                email: account.email,
                email_verified: true,
                ...(groupClaims === 'joined' ? { groups: [...account.memberships] } : {}),
              },
      };
    },
    extraTokenClaims: (ctx, token) => {
      const accountId = 'accountId' in token ? token.accountId : undefined;
      const account = accountId ? findAccountBySub(accountId) : undefined;
      // The sign-in's acr in the access token too, as enterprise SSOs put it: an API can then ask for step-up itself (RFC 9470).
      // An exchanged token carries its subject token's acr in `extra`, which this answer replaces; a token minted
      // outside a request (issueDownstreamToken) has no context at all.
      const entities = (ctx as KoaContextWithOIDC | undefined)?.oidc.entities;
      const acr = entities?.AuthorizationCode?.acr ?? entities?.RefreshToken?.acr ?? (token as { extra?: Record<string, unknown> }).extra?.['acr'];
      return account ? { ...accessTokenClaims(account, groupClaims), ...(typeof acr === 'string' ? { acr } : {}) } : undefined;
    },
    acrValues: [DEV_ACR.password, DEV_ACR.mfa],
    interactions: { policy: interactionPolicyFor(secondFactor), url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // The development IdP posts back-channel logout tokens to an API on this machine; the
    // provider's guard against loopback and private addresses (SSRF) would refuse them.
    fetch: (url, init) => {
      const { dispatcher: _dispatcher, ...rest } = (init ?? {}) as RequestInit & { dispatcher?: unknown };
      return globalThis.fetch(url, rest);
    },
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: options.revocation ?? true },
      // Clients may introspect only the tokens issued to them.
      introspection: { enabled: opaque, allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId },
      pushedAuthorizationRequests: fapi2
        ? { enabled: true, requirePushedAuthorizationRequests: true }
        : { enabled: options.pushedAuthorizationRequests ?? true, requirePushedAuthorizationRequests: false },
      // oidc-provider's own FAPI 2.0 rules (PKCE, assertion audience, redirect_uri, no query access tokens). DPoP stays
      // on in both profiles: a client that sends proofs gets bound tokens; in fapi2 every client must.
      ...(fapi2 ? { fapi: { enabled: true, profile: '2.0' } } : {}),
      dPoP: { enabled: true },
      backchannelLogout: { enabled: !frontchannel },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx: KoaContextWithOIDC, form: string) => {
          ctx.type = 'html';
          ctx.body = logoutPage(form);
        },
        postLogoutSuccessSource: (ctx: KoaContextWithOIDC) => {
          ctx.type = 'html';
          ctx.body = messagePage('Signed out', 'You are signed out of the development identity provider.');
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => (scopeAudience ? SCOPE_AUDIENCE_RESOURCE : options.audience),
        // With `scope`, a refresh that does not ask for the API again gets no token for it (unless none was ever asked).
        useGrantedResource: (_ctx, model) =>
          !scopeAudience || (model as { kind?: string }).kind !== 'RefreshToken' || (model as { resource?: unknown }).resource === SCOPE_AUDIENCE_RESOURCE,
        getResourceServerInfo: (ctx, resourceIndicator) => {
          if (downstream.has(resourceIndicator)) return downstreamServer(resourceIndicator);
          if (scopeAudience && resourceIndicator === SCOPE_AUDIENCE_RESOURCE) {
            const { params, entities } = ctx.oidc as unknown as {
              params?: { scope?: unknown };
              entities: { AuthorizationCode?: { scope?: string }; RefreshToken?: { scope?: string } };
            };
            const scope = String(params?.scope ?? entities.AuthorizationCode?.scope ?? entities.RefreshToken?.scope ?? 'openid');
            return { audience: scope, scope: RESOURCE_SCOPE, accessTokenTTL, accessTokenFormat: 'jwt', jwt: { sign: { alg: signingAlg } } };
          }
          if (resourceIndicator !== options.audience) throw new errors.InvalidTarget();
          return opaque
            ? { audience: options.audience, scope: RESOURCE_SCOPE, accessTokenTTL, accessTokenFormat: 'opaque' }
            : { audience: options.audience, scope: RESOURCE_SCOPE, accessTokenTTL, accessTokenFormat: 'jwt', jwt: { sign: { alg: signingAlg } } };
        },
      },
    },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = messagePage('Sign-in error', `${out.error}: ${out.error_description ?? ''}`);
    },
  };

  const provider = new Provider(options.issuer, configuration);
  const verifyOwnToken = ownTokenVerifier(provider, options.issuer, signingKey);
  provider.registerGrantType(
    TOKEN_EXCHANGE_GRANT,
    tokenExchange(provider, { audience: options.audience, verifyOwnToken, targets: downstream, server: downstreamServer }),
    ['subject_token', 'subject_token_type', 'requested_token_type', 'audience', 'resource', 'scope', 'actor_token', 'actor_token_type'],
  );
  provider.on('backchannel.error', (_ctx: unknown, error: Error, client: { clientId: string }) => {
    process.stderr.write(`dev IdP: back-channel logout to ${client.clientId} failed: ${error.name}: ${error.message}\n`);
  });
  if (frontchannel) enableFrontchannelLogout(provider);
  enterpriseShapes(provider, { refresh: options.refresh ?? 'rotate', introspection: options.introspection ?? 'full' });
  const providerCallback = provider.callback();

  const userinfo = userinfoEndpoint(verifyOwnToken, groupClaims, options.userinfoSub ?? 'same');
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://idp');
    const { pathname } = url;
    // Like a provider that returns the browser only to requests that carry state: without it the
    // redirect URI is dropped, and the sign-out ends on the IdP's own page.
    if (options.logoutReturn === 'with_state' && pathname === END_SESSION_PATH && !url.searchParams.has('state')) {
      url.searchParams.delete('post_logout_redirect_uri');
      req.url = `${url.pathname}${url.search}`;
    }
    if (pathname === USERINFO_PATH) {
      userinfo(req, res).catch(() => send(res, 500, messagePage('Userinfo error', 'The userinfo endpoint failed.')));
      return;
    }
    const match = INTERACTION_PATH.exec(pathname);
    if (!match) {
      providerCallback(req, res);
      return;
    }
    const [, uid = '', step] = match;
    const work =
      req.method === 'POST' && step === '/login'
        ? interactions.submitLogin(provider, uid, req, res)
        : req.method === 'POST' && step === '/code'
          ? interactions.submitCode(provider, uid, req, res)
          : interactions.show(provider, uid, req, res);
    work.catch((error: unknown) => {
      const expired = error instanceof errors.SessionNotFound;
      send(
        res,
        expired ? 400 : 500,
        messagePage('Sign-in error', expired ? 'This sign-in attempt has expired. Start again from the application.' : 'The sign-in page failed.'),
      );
    });
  };

  const issueDownstreamToken: DevIdp['issueDownstreamToken'] = async ({ clientId, accountId, target }) => {
    const client = await provider.Client.find(clientId);
    const scopes = downstream.get(target);
    if (!client || !scopes) throw new TypeError(`${target} is not a downstream API registered for ${clientId}`);
    const token = new provider.AccessToken({ accountId, client, gty: 'token-exchange', scope: [...scopes].join(' ') || undefined } as never);
    token.resourceServer = new provider.ResourceServer(target, downstreamServer(target) as never);
    return token.save();
  };

  return { issuer: options.issuer, provider, handler, issueDownstreamToken };
}

/** What one of this IdP's own access tokens says, once checked. */
interface OwnToken {
  readonly sub: string;
  readonly clientId: string | undefined;
  readonly aud: readonly string[];
  readonly acr: string | undefined;
}
type OwnTokenVerifier = (token: string) => Promise<OwnToken | undefined>;

/** Checks an access token this IdP issued: a JWT (signature and issuer), or an opaque one it still holds. */
function ownTokenVerifier(provider: Provider, issuer: string, signingKey: JWK): OwnTokenVerifier {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = signingKey;
  const publicKey = importJWK(publicJwk, signingKey.alg ?? 'RS256');
  return async (token) => {
    if (token.split('.').length === 3) {
      const { payload } = await jwtVerify(token, await publicKey, { issuer }).catch(() => ({ payload: undefined }));
      if (!payload?.sub) return undefined;
      const aud = payload.aud === undefined ? [] : Array.isArray(payload.aud) ? payload.aud : [payload.aud];
      return {
        sub: payload.sub,
        clientId: typeof payload['client_id'] === 'string' ? payload['client_id'] : undefined,
        aud,
        acr: typeof payload['acr'] === 'string' ? payload['acr'] : undefined,
      };
    }
    const found = await provider.AccessToken.find(token);
    if (!found || found.isExpired || !found.accountId) return undefined;
    const aud = found.aud === undefined ? [] : Array.isArray(found.aud) ? found.aud : [found.aud];
    return { sub: found.accountId, clientId: found.clientId, aud: aud as string[], acr: undefined };
  };
}

/**
 * OAuth 2.0 Token Exchange (RFC 8693), which oidc-provider does not implement: a client
 * allowed the grant type exchanges an access token this IdP issued to it for the API's
 * audience (the user's, still valid) for one of a downstream API it registered, with the
 * scopes asked for that the API has. Delegation only: no actor token, no other token types.
 */
function tokenExchange(
  provider: Provider,
  settings: {
    audience: string;
    verifyOwnToken: OwnTokenVerifier;
    targets: ReadonlyMap<string, ReadonlySet<string>>;
    server: (target: string) => object;
  },
) {
  return async (ctx: KoaContextWithOIDC): Promise<void> => {
    const params = ctx.oidc.params as Record<string, string | string[] | undefined>;
    const client = ctx.oidc.client;
    if (!client) throw new errors.InvalidClient('client not authenticated');
    const one = (name: string): string | undefined => {
      const value = params[name];
      if (Array.isArray(value)) throw new errors.InvalidTarget(`only one ${name} is supported`);
      return value || undefined;
    };
    const subjectToken = one('subject_token');
    if (!subjectToken) throw new errors.InvalidRequest('missing required parameter subject_token');
    if (one('subject_token_type') !== ACCESS_TOKEN_TYPE) throw new errors.InvalidRequest('subject_token_type must be an access token');
    const requested = one('requested_token_type');
    if (requested !== undefined && requested !== ACCESS_TOKEN_TYPE) throw new errors.InvalidRequest('only access tokens are issued');
    if (one('actor_token')) throw new errors.InvalidRequest('actor tokens are not supported');
    const subject = await settings.verifyOwnToken(subjectToken);
    if (!subject || subject.clientId !== client.clientId || !subject.aud.includes(settings.audience))
      throw new errors.InvalidGrant('subject_token is not a valid access token of this client');
    const target = one('resource') ?? one('audience');
    const allowed = target ? settings.targets.get(target) : undefined;
    if (!target || !allowed) throw new errors.InvalidTarget('the audience is not a downstream API registered for this client');
    const asked = typeof params['scope'] === 'string' ? params['scope'].split(' ').filter(Boolean) : [...allowed];
    const scope = asked.filter((item) => allowed.has(item));
    if (asked.length > 0 && scope.length === 0) throw new errors.InvalidScope('none of the requested scopes is offered by this audience', asked.join(' '));
    // A proof of the client's DPoP key binds the new token to it (RFC 9449 §5), as for the built-in grants.
    const dPoP = await validateDpop(provider, ctx);
    if (!dPoP && client.metadata()['dpop_bound_access_tokens'] === true) throw new errors.InvalidGrant('DPoP proof required');
    // No grant backs an exchanged token: it lives until it expires, like the token it came from.
    const token = new provider.AccessToken({ accountId: subject.sub, client, gty: 'token-exchange', scope: scope.join(' ') || undefined } as never);
    if (dPoP) {
      await checkDpopReplay(provider, ctx, dPoP, client.clientId);
      token.setThumbprint('jkt', dPoP.thumbprint);
    }
    token.resourceServer = new provider.ResourceServer(target, settings.server(target) as never);
    if (subject.acr) token.extra = { acr: subject.acr };
    const value = await token.save();
    ctx.body = {
      access_token: value,
      issued_token_type: ACCESS_TOKEN_TYPE,
      token_type: token.tokenType,
      expires_in: token.expiration,
      ...(token.scope ? { scope: token.scope } : {}),
    };
  };
}

/**
 * The userinfo endpoint (OIDC Core §5.3), in place of oidc-provider's: its own refuses every access
 * token issued for a resource server (`aud` set), and all of this IdP's are. It accepts the IdP's
 * JWT access tokens (signature and issuer checked) and its opaque ones, and answers the user's claims.
 */
function userinfoEndpoint(verifyOwnToken: OwnTokenVerifier, groups: DevIdpGroupClaims, sub: DevIdpUserinfoSub) {
  const accountOf = async (token: string) => (await verifyOwnToken(token))?.sub;
  const answered = new Set<string>();
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const authorization = req.headers.authorization ?? '';
    const [scheme = '', token = ''] = authorization.split(' ');
    const account = /^(bearer|dpop)$/i.test(scheme) && token ? findAccountBySub((await accountOf(token)) ?? '') : undefined;
    if (!account) {
      res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"', 'cache-control': 'no-store' });
      res.end();
      return;
    }
    const other = DEMO_ACCOUNTS.find((candidate) => candidate.sub !== account.sub);
    const lies = sub === 'other' || (sub === 'other_after_first' && answered.has(account.sub));
    answered.add(account.sub);
    const claims = {
      sub: lies && other ? other.sub : account.sub,
      name: account.name,
      email: account.email,
      email_verified: true,
      ...(groups === 'joined' ? { groups: [...account.memberships] } : {}),
    };
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(JSON.stringify(claims));
  };
}

/** Pending second factors remembered at most: abandoned sign-ins must not grow the map without bound. */
const MAX_PENDING_CODES = 1000;
/** The reason the login prompt gives when the session's `acr` is weaker than the one asked for. */
const ACR_UNMET = 'acr_values_unmet';

/** Whether the authorization request asks for the second factor: `acr_values` or an `acr` claims request naming it. */
function asksForMfa(params: Readonly<Record<string, unknown>>): boolean {
  const acrValues = typeof params['acr_values'] === 'string' ? params['acr_values'].split(' ') : [];
  return acrValues.includes(DEV_ACR.mfa) || (typeof params['claims'] === 'string' && params['claims'].includes(DEV_ACR.mfa));
}

/**
 * oidc-provider's interaction policy, plus a login check: asked for `urn:bff:loa:mfa` while the IdP
 * session is weaker, the user is prompted (oidc-provider itself prompts only for an `essential` acr
 * claim, and treats `acr_values` as voluntary; enterprise SSOs step up on `acr_values`). With `ignore`
 * there is no such check: the IdP answers the session's weaker `acr`.
 */
function interactionPolicyFor(secondFactor: DevIdpSecondFactor): interactionPolicy.Prompt[] {
  const policy = interactionPolicy.base();
  if (secondFactor === 'ignore') return policy;
  policy.get('login')?.checks.add(
    new interactionPolicy.Check(ACR_UNMET, 'a stronger authentication was requested', (ctx) => {
      const { oidc } = ctx;
      if (!oidc.session?.accountId || oidc.acr === DEV_ACR.mfa) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
      return asksForMfa(oidc.params ?? {}) ? interactionPolicy.Check.REQUEST_PROMPT : interactionPolicy.Check.NO_NEED_TO_PROMPT;
    }),
  );
  return policy;
}

/**
 * The IdP's sign-in pages: the password, then, when asked for (see {@link DevIdpSecondFactor}),
 * the one-time code that raises `acr` to `urn:bff:loa:mfa`. A signed-in IdP session that is asked
 * for more gets the code page only (step-up); `max_age` or `prompt=login` ask the password again.
 */
class Interactions {
  /** Interactions whose user gave the password (or is signed in) and owes the code: uid → account. */
  readonly #pending = new Map<string, string>();

  constructor(readonly secondFactor: DevIdpSecondFactor) {}

  async show(provider: Provider, uid: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new errors.SessionNotFound('interaction mismatch');
    if (details.prompt.name === 'login') {
      const pending = this.#pending.get(uid);
      const signedIn = details.session?.accountId;
      // Only the acr fell short: the user is known, the second factor is all that is missing.
      const reasons = details.prompt.reasons;
      const stepUp = signedIn && reasons.length > 0 && reasons.every((reason) => reason === ACR_UNMET);
      const account = findAccountBySub(pending ?? (stepUp ? signedIn : ''));
      if (account) {
        this.#remember(uid, account.sub);
        send(res, 200, codePage({ action: `/interaction/${uid}/code`, login: account.login, code: DEMO_ONE_TIME_CODE }));
        return;
      }
      send(res, 200, loginPage({ action: `/interaction/${uid}/login` }));
      return;
    }
    // First-party clients get their grant without a consent screen.
    const { accountId } = details.session ?? {};
    const clientId = String(details.params['client_id'] ?? '');
    if (!accountId) throw new errors.SessionNotFound('no account in session');
    const grant = details.grantId ? await provider.Grant.find(details.grantId) : new provider.Grant({ accountId, clientId });
    if (!grant) throw new errors.SessionNotFound('grant not found');
    const missing = details.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  async submitLogin(provider: Provider, uid: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new errors.SessionNotFound('interaction mismatch');
    const form = new URLSearchParams(await readBody(req));
    const login = form.get('login') ?? '';
    const account = authenticate(login, form.get('password') ?? '');
    if (!account) {
      send(res, 401, loginPage({ action: `/interaction/${uid}/login`, login, error: 'Invalid username or password.' }));
      return;
    }
    const wantsCode = this.secondFactor === 'always' || (this.secondFactor === 'on_request' && asksForMfa(details.params));
    if (wantsCode) {
      this.#remember(uid, account.sub);
      res.writeHead(303, { location: `/interaction/${uid}`, 'cache-control': 'no-store' });
      res.end();
      return;
    }
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: account.sub, acr: DEV_ACR.password, amr: ['pwd'] } },
      { mergeWithLastSubmission: false },
    );
  }

  async submitCode(provider: Provider, uid: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new errors.SessionNotFound('interaction mismatch');
    const account = findAccountBySub(this.#pending.get(uid) ?? '');
    if (!account) throw new errors.SessionNotFound('no second factor pending');
    const form = new URLSearchParams(await readBody(req));
    if (form.get('action') === 'cancel') {
      this.#pending.delete(uid);
      await provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'The user did not complete the second factor.' },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    if (form.get('code') !== DEMO_ONE_TIME_CODE) {
      send(res, 401, codePage({ action: `/interaction/${uid}/code`, login: account.login, code: DEMO_ONE_TIME_CODE, error: 'Wrong code.' }));
      return;
    }
    this.#pending.delete(uid);
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: account.sub, acr: DEV_ACR.mfa, amr: ['pwd', 'otp'] } },
      { mergeWithLastSubmission: false },
    );
  }

  #remember(uid: string, accountId: string): void {
    this.#pending.delete(uid);
    this.#pending.set(uid, accountId);
    // A Map iterates in insertion order: the first key is the oldest pending sign-in.
    if (this.#pending.size > MAX_PENDING_CODES) this.#pending.delete(this.#pending.keys().next().value ?? '');
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > MAX_FORM_BYTES) {
        reject(new Error('form too large'));
        req.destroy();
      }
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, html: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}
