import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';

/** The client metadata of OIDC Front-Channel Logout 1.0 §2, which oidc-provider 9 no longer knows. */
export const FRONTCHANNEL_CLIENT_METADATA = ['frontchannel_logout_uri', 'frontchannel_logout_session_required'] as const;

/** What the discovery document advertises (Front-Channel Logout 1.0 §3). */
export const FRONTCHANNEL_DISCOVERY = { frontchannel_logout_supported: true, frontchannel_logout_session_required: true } as const;

/** How long the logout page waits for the clients' frames before moving on anyway. */
const FRAME_WAIT_MS = 5000;

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The page that ends a sign-out at the IdP: one hidden iframe per client's
 * `frontchannel_logout_uri` with `iss` and `sid`, then on to where the IdP was going.
 */
function framesPage(frames: readonly string[], next: string): string {
  const iframes = frames.map((src) => `<iframe src="${escapeHtml(src)}" width="0" height="0" style="border:0" title="sign-out"></iframe>`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Signing out</title></head><body>
<p>Signing out of the applications…</p>${iframes}
<p><a id="continue" href="${escapeHtml(next)}">Continue</a></p>
<script>var n=${frames.length},go=function(){location.replace(document.getElementById('continue').href)};
document.querySelectorAll('iframe').forEach(function(f){f.addEventListener('load',function(){if(--n===0)go()})});setTimeout(go,${FRAME_WAIT_MS});</script>
</body></html>`;
}

/**
 * OpenID Connect Front-Channel Logout 1.0, played by the development IdP (oidc-provider 9 dropped
 * it): clients registered with a `frontchannel_logout_uri` get `sid` in their ID tokens, and the
 * end-session confirmation answers a page that loads each of their URIs in an iframe with the
 * issuer and the client's `sid`, as an enterprise SSO without back-channel logout does.
 *
 * @see https://openid.net/specs/openid-connect-frontchannel-1_0.html
 */
export function enableFrontchannelLogout(provider: Provider): void {
  const frontchannelUri = (client: { metadata(): Record<string, unknown> } | undefined): string | undefined => {
    const uri = client?.metadata()['frontchannel_logout_uri'];
    return typeof uri === 'string' ? uri : undefined;
  };
  // oidc-provider puts `sid` in the ID token only for clients of back-channel logout.
  const prototype = provider.Client.prototype as unknown as { includeSid(this: { metadata(): Record<string, unknown> }): boolean };
  const includeSid = prototype.includeSid;
  prototype.includeSid = function (this: { metadata(): Record<string, unknown> }) {
    return Boolean(includeSid.call(this)) || frontchannelUri(this) !== undefined;
  };

  provider.use(async (ctx, next) => {
    await next();
    const oidc = (ctx as KoaContextWithOIDC).oidc as KoaContextWithOIDC['oidc'] | undefined;
    if (oidc?.route !== 'end_session_confirm' || ctx.status !== 303) return;
    const session = oidc.session;
    const frames: string[] = [];
    for (const clientId of Object.keys(session?.authorizations ?? {})) {
      const uri = frontchannelUri(await provider.Client.find(clientId));
      const sid = session?.sidFor(clientId);
      if (!uri || !sid) continue;
      const url = new URL(uri);
      url.searchParams.set('iss', provider.issuer);
      url.searchParams.set('sid', sid);
      frames.push(url.href);
    }
    if (frames.length === 0) return;
    const location = ctx.response.get('location');
    ctx.remove('location');
    ctx.status = 200;
    ctx.type = 'html';
    ctx.body = framesPage(frames, location);
  });
}
