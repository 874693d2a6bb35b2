import type { GroupsSource, RoleMap } from '../authz/roles.js';
import type { StreamBounds } from '../session/live-stream.js';
import type { Fapi2Keys, OidcProfile } from './fapi2.js';
import type { SameSite, Topology } from './topology.js';
import type { TrustProxy } from './trust-proxy.js';
import type { AuditDestination, TracingSettings } from '../options/observability.js';
import type { DownstreamApiConfig } from '../options/downstream.js';

/**
 * The resolved configuration the machinery runs on: the options validated once, with
 * every derived value (cookie names and attributes, topology, trust proxy, FAPI 2.0 keys,
 * warnings) worked out. Made by `resolveOptions` (and `loadConfig`).
 */
export interface Config {
  readonly production: boolean;
  readonly port: number;
  readonly oidc: {
    readonly issuer: URL;
    readonly clientId: string;
    readonly clientSecret: string;
    /** Expected `aud` of access tokens. */
    readonly audience: string;
    /** Signature algorithms accepted on ID and access tokens. */
    readonly algorithms: readonly string[];
    readonly scope: string;
    /** The API's resource indicator (`OIDC_RESOURCE`, RFC 8707), sent at sign-in and at every refresh. */
    readonly resource: string | undefined;
    /**
     * Resource indicators asked for at sign-in (RFC 8707): `resource` (else the audience, with `resource` downstream
     * APIs) and each `resource` downstream API's; none without either.
     */
    readonly resources: readonly string[];
    readonly redirectUri: URL;
    readonly postLogoutRedirectUri: URL;
    /** Timeout of each outbound call to the identity provider. */
    readonly timeoutMs: number;
    /** Plain-http identity provider (loopback or reserved development host names only). */
    readonly allowHttp: boolean;
    /** How access tokens are checked: `jwt` (RFC 9068, the IdP's keys) or `introspection` (RFC 7662, opaque tokens). */
    readonly accessTokenVerify: AccessTokenVerification;
    /** How long an introspection answer is reused, at most (and never past the token's `exp`). */
    readonly introspectionCacheTtlSeconds: number;
    /** When the callback asks the userinfo endpoint (`OIDC_USERINFO`). */
    readonly userinfo: 'auto' | 'always' | 'never';
    /** `OIDC_PROFILE`; `fapi2` adds PAR always, private_key_jwt, DPoP-bound tokens and ES256/PS256 only (S24). */
    readonly profile: OidcProfile;
    /** The client and DPoP keys; present exactly when `profile` is `fapi2`. */
    readonly fapi2: Fapi2Keys | undefined;
  };
  /** Allowed front origins; the first is where users land by default. */
  readonly frontOrigins: readonly string[];
  readonly backUrl: URL;
  readonly session: {
    /** The first signs and encrypts; every one verifies and decrypts (rotation). */
    readonly secrets: readonly string[];
    readonly idleTtlSeconds: number;
    readonly absoluteTtlSeconds: number;
  };
  readonly cookie: {
    /** `COOKIE_NAME` as configured. */
    readonly baseName: string;
    /** The session cookie's name: `__Host-` + `baseName` when Secure. */
    readonly name: string;
    readonly secure: boolean;
    readonly sameSite: SameSite;
    readonly topology: Topology;
  };
  /** Requests per minute and client address allowed on `/api/login` and `/api/callback`. */
  readonly rateLimitPerMinute: number;
  readonly trpc: {
    /** Calls per batch request (S22). */
    readonly maxBatchSize: number;
    /** Plain queries and mutations without tRPC's fetch adapter (`TRPC_LEAN_PATH`). */
    readonly leanPath: boolean;
    /** Calls per minute and session; 0 = no limit. */
    readonly callsPerMinute: number;
    /** Mutations per minute and session; 0 = no limit. */
    readonly mutationsPerMinute: number;
    /** Open streams per session and their maximum lifetime (S26). */
    readonly streams: StreamBounds;
  };
  /** Shared state for several instances; absent: in memory (one instance). */
  readonly redis:
    | { readonly url: string; readonly clusterNodes?: undefined; readonly timeoutMs: number }
    | { readonly url?: undefined; readonly clusterNodes: string; readonly timeoutMs: number }
    | undefined;
  readonly authz: {
    /** Application role → the groups (names or LDAP DNs) that grant it (`ROLE_MAP`). */
    readonly roleMap: RoleMap;
    /** Where the access token carries groups: a claim name or dot path (`GROUPS_CLAIM`). */
    readonly groupsClaim: string;
    /** Which answer of the IdP carries the groups (`GROUPS_SOURCE`). */
    readonly groupsSource: GroupsSource;
    /** Splits a groups claim that is one string (`GROUPS_SEPARATOR`). */
    readonly groupsSeparator?: string | undefined;
    /** The IdP's `acr` values, weakest first, that step-up ranks and asks for (`OIDC_ACR_ORDER`). */
    readonly acrOrder: readonly string[];
  };
  /** The directory that grants groups when access tokens carry none; absent: groups come from tokens only. */
  readonly ldap: LdapConfig | undefined;
  /** `npm run serve`: the built web app served by the API on its own origin. */
  readonly web: { readonly root: string } | undefined;
  /** Express `trust proxy`: false, a hop count, or a list of proxy addresses (`true` in development only). */
  readonly trustProxy: TrustProxy;
  /** Problems that do not stop the server but that an operator must hear about. */
  readonly warnings: readonly string[];
  /** Metrics on their own port (`METRICS_PORT`), the audit trail's destination (`AUDIT_LOG`) and traces (`OTEL_*`); each off when unset (S31). */
  readonly observability: {
    readonly metricsPort?: number | undefined;
    readonly auditLog?: AuditDestination | undefined;
    readonly tracing?: TracingSettings | undefined;
  };
  /** The downstream APIs the BFF calls for the user (`DOWNSTREAM_APIS`); none by default. */
  readonly downstream: readonly DownstreamApiConfig[];
}

/** `OIDC_ACCESS_TOKEN_VERIFY`. */
export type AccessTokenVerification = 'jwt' | 'introspection';

/** How to reach and read the LDAP directory (`LDAP_*`). */
export interface LdapConfig {
  readonly url: string;
  readonly startTls: boolean;
  readonly bindDn: string;
  readonly bindPassword: string;
  readonly userBase: string;
  /** `{username}` stands for the token's `preferred_username`, else its `sub`. */
  readonly userFilter: string;
  readonly groupBase: string;
  readonly cacheTtlSeconds: number;
  readonly timeoutMs: number;
}
