import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { DevIdpAccessTokenTyp, DevIdpIntrospection, DevIdpRefresh } from './settings.js';

/**
 * The resource the development IdP grants when a client asks for none and `DEV_IDP_AUDIENCE=scope`:
 * its access tokens then carry the scope string as `aud`, as a provider that needs a resource
 * indicator to issue a token for an API does.
 */
export const SCOPE_AUDIENCE_RESOURCE = 'urn:bff:dev-idp:no-resource';

/** Claims an introspection answer leaves out with `DEV_IDP_INTROSPECTION=minimal` (RFC 7662 makes them optional). */
const MINIMAL_INTROSPECTION_DROPS = ['aud', 'groups', 'memberOf'] as const;

type JwtParts = { header?: Record<string, unknown>; payload: Record<string, unknown> };

/**
 * oidc-provider's JWT access-token customizer for `DEV_IDP_ACCESS_TOKEN_TYP=JWT`: typed `JWT` rather
 * than `at+jwt` (RFC 9068), with an `aud` array of the client id and the API, as an older SSO issues them.
 */
export function accessTokenCustomizer(typ: DevIdpAccessTokenTyp) {
  return (_ctx: unknown, _token: unknown, parts: JwtParts): void => {
    if (typ !== 'JWT') return;
    parts.header = { ...parts.header, typ: 'JWT' };
    const { aud, client_id: clientId } = parts.payload;
    if (typeof aud === 'string' && typeof clientId === 'string') parts.payload['aud'] = [clientId, aud];
  };
}

/**
 * The shapes of the first enterprise SSO that oidc-provider has no setting for:
 * - `refresh: 'reuse'`: refreshed ID tokens carry no `nonce` (oidc-provider copies the sign-in's
 *   onto every refresh token, hence every refreshed ID token);
 * - `introspection: 'minimal'`: introspection answers without `aud` or groups.
 */
export function enterpriseShapes(provider: Provider, shapes: { readonly refresh: DevIdpRefresh; readonly introspection: DevIdpIntrospection }): void {
  if (shapes.refresh === 'reuse') {
    const prototype = provider.RefreshToken.prototype as unknown as { save(this: { nonce?: unknown }, ...args: unknown[]): Promise<string> };
    const save = prototype.save;
    prototype.save = function (this: { nonce?: unknown }, ...args: unknown[]) {
      this.nonce = undefined;
      return save.apply(this, args);
    };
  }
  if (shapes.introspection === 'minimal') {
    provider.use(async (ctx, next) => {
      await next();
      const oidc = (ctx as KoaContextWithOIDC).oidc as KoaContextWithOIDC['oidc'] | undefined;
      if (oidc?.route !== 'introspection' || typeof ctx.body !== 'object' || ctx.body === null) return;
      const dropped: readonly string[] = MINIMAL_INTROSPECTION_DROPS;
      ctx.body = Object.fromEntries(Object.entries(ctx.body as Record<string, unknown>).filter(([claim]) => !dropped.includes(claim)));
    });
  }
}
