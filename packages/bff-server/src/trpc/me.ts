import { API_PATHS, type MeOutput } from '@oidc-bff/protocol';
import { grantsOf, protectedProcedure } from './init.js';

/** The logout URL up to its `sid`, worked out once per API URL rather than on every call of `me`. */
const logoutUrlBases = new WeakMap<URL, string>();
function logoutUrlBase(backUrl: URL): string {
  let base = logoutUrlBases.get(backUrl);
  if (base === undefined) {
    base = `${new URL(API_PATHS.logout, backUrl).href}?sid=`;
    logoutUrlBases.set(backUrl, base);
  }
  return base;
}

/**
 * The caller's profile and session. Built field by field from the verified session
 * (nothing is spread from a wider object), so the type check stands in for output
 * validation on this, the most frequent call. It reports roles, so it waits for the
 * directory when groups come from there.
 */
export const meProcedure = protectedProcedure.query(async ({ ctx }): Promise<MeOutput> => {
  const { sessions, backUrl } = ctx.services;
  const { groups, roles } = await grantsOf(ctx);
  return {
    user: { sub: ctx.user.sub, name: ctx.user.name, email: ctx.user.email, groups: [...groups], roles: [...roles] },
    session: {
      expiresAt: new Date(sessions.expiresAt(ctx.session)).toISOString(),
      accessTokenExpiresAt: new Date(ctx.session.accessTokenExpiresAt).toISOString(),
      ...(ctx.session.acr !== undefined ? { acr: ctx.session.acr } : {}),
      ...(ctx.session.authTime !== undefined ? { authTime: new Date(ctx.session.authTime * 1000).toISOString() } : {}),
    },
    // logoutId is base64url: nothing to encode.
    logoutUrl: `${logoutUrlBase(backUrl)}${ctx.session.logoutId}`,
  };
});
