/**
 * oidc-provider's own DPoP proof validation (RFC 9449), which its built-in grants use; a grant
 * registered with `registerGrantType` gets no helpers, so the token exchange imports it.
 */
declare module 'oidc-provider/lib/helpers/validate_dpop.js' {
  export default function validateDpop(
    provider: unknown,
    ctx: unknown,
    accessToken?: string,
  ): Promise<{ readonly thumbprint: string; readonly jti: string; readonly iat: number } | undefined>;
  export function checkDpopReplay(provider: unknown, ctx: unknown, dPoP: unknown, clientId: string): Promise<void>;
}
