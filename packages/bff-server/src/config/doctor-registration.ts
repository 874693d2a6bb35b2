import type { Config } from './env.js';
import { idpRegistration } from './registration.js';

/** What the IdP's discovery document says, for the items it can confirm. */
export type DiscoveryMetadata = Readonly<Record<string, unknown>>;

const mark = (confirmed: boolean | undefined) => (confirmed === undefined ? ' ' : confirmed ? '✔' : '✖');

/**
 * "Register this at your identity provider": one block with exactly what the IdP's
 * administrator enters for the current configuration. Each item the IdP's discovery
 * document can confirm is marked ✔ (supported) or ✖ (not advertised); unmarked items
 * are for the administrator to set.
 */
export function registrationBlock(config: Config, metadata: DiscoveryMetadata | undefined): string {
  const r = idpRegistration(config);
  const list = (key: string): readonly unknown[] | undefined => {
    if (!metadata) return undefined;
    const value = metadata[key];
    return Array.isArray(value) ? value : [];
  };
  const has = (key: string, value: string) => list(key)?.includes(value);
  const present = (key: string) => (metadata ? typeof metadata[key] === 'string' : undefined);
  const supported = (key: string) => (metadata ? metadata[key] === true : undefined);
  const authMethods = list('token_endpoint_auth_methods_supported');
  const lines: Array<[boolean | undefined, string, string]> = [
    [undefined, 'Client ID', r.clientId],
    [undefined, 'Client type', `${r.clientType} (a server-side web application with ${r.jwksUri ? 'a private key' : 'a secret'})`],
    [
      authMethods === undefined ? undefined : authMethods.length === 0 || authMethods.includes(r.tokenEndpointAuthMethod),
      'Client authentication',
      r.tokenEndpointAuthMethod,
    ],
    [undefined, 'Redirect URI', r.redirectUris.join(', ')],
    [present('end_session_endpoint'), 'Post-logout redirect URI', `${r.postLogoutRedirectUris.join(', ')} (RP-initiated logout)`],
    [supported('backchannel_logout_supported'), 'Back-channel logout URI', `${r.backchannelLogoutUri} (backchannel_logout_session_required: true)`],
    // An IdP without back-channel logout reaches the API through the browser: the front-channel URI then matters.
    ...(metadata?.['frontchannel_logout_supported'] === true
      ? [
          [
            metadata['frontchannel_logout_session_required'] === true,
            'Front-channel logout URI',
            `${r.frontchannelLogoutUri} (frontchannel_logout_session_required: true)`,
          ] satisfies [boolean | undefined, string, string],
        ]
      : []),
    [
      list('grant_types_supported') === undefined
        ? undefined
        : r.grantTypes.every((g) => has('grant_types_supported', g) || (list('grant_types_supported')?.length ?? 0) === 0),
      'Grant types',
      r.grantTypes.join(', '),
    ],
    [has('code_challenge_methods_supported', 'S256'), 'PKCE', `${r.pkceMethod} (required)`],
    [metadata ? r.scopes.every((s) => has('scopes_supported', s) || (list('scopes_supported')?.length ?? 0) === 0) : undefined, 'Scopes', r.scopes.join(' ')],
    [
      undefined,
      'Access token',
      `a JWT (RFC 9068) signed with ${r.accessToken.algorithms.join(' or ')}, aud = ${r.accessToken.audience}${r.accessToken.resource ? ` for the resource ${r.accessToken.resource} (RFC 8707, asked at sign-in and refresh)` : ''}, groups in the "${r.accessToken.groupsClaim}" claim`,
    ],
    ...r.downstream.map(({ name, token, target, scopes }): [boolean | undefined, string, string] => [
      undefined,
      `Downstream API "${name}"`,
      token === 'exchange'
        ? `token exchange allowed for this client to audience ${target}${scopes.length ? ` with scope ${scopes.join(' ')}` : ''} (RFC 8693)`
        : token === 'resource'
          ? `resource ${target} granted to this client${scopes.length ? ` with scope ${scopes.join(' ')}` : ''} (RFC 8707; asked for at sign-in)`
          : `accepts the session's access token (aud = ${target})`,
    ]),
    [present('revocation_endpoint'), 'Token revocation', 'allowed for this client (refresh tokens are revoked at logout)'],
    [
      present('pushed_authorization_request_endpoint'),
      'Pushed authorization requests',
      r.requirePushedAuthorizationRequests ? 'required for this client (RFC 9126 require_pushed_authorization_requests)' : 'used when offered (RFC 9126)',
    ],
  ];
  if (r.jwksUri) {
    lines.push(
      [undefined, 'Client keys (jwks_uri)', `${r.jwksUri} (${r.tokenEndpointAuthSigningAlg ?? ''} client assertions)`],
      [
        has('token_endpoint_auth_signing_alg_values_supported', r.tokenEndpointAuthSigningAlg ?? ''),
        'Client assertion algorithm',
        r.tokenEndpointAuthSigningAlg ?? '',
      ],
      [
        list('dpop_signing_alg_values_supported') === undefined ? undefined : (list('dpop_signing_alg_values_supported')?.length ?? 0) > 0,
        'DPoP-bound access tokens',
        'dpop_bound_access_tokens: true (RFC 9449)',
      ],
      [supported('authorization_response_iss_parameter_supported'), 'Issuer in authorization responses', 'iss (RFC 9207)'],
    );
  }
  const width = Math.max(...lines.map(([, label]) => label.length));
  return [
    'Register this at your identity provider:',
    ...lines.map(([confirmed, label, value]) => `  ${mark(confirmed)} ${label.padEnd(width)}  ${value}`),
    metadata ? "  (✔ confirmed by the IdP's discovery document, ✖ not advertised by it)" : '  (the IdP could not be reached: nothing confirmed)',
  ].join('\n');
}
