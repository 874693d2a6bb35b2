import { meOutputSchema } from '@bff/shared';
import { protectedProcedure } from '../trpc.js';

export const meProcedure = protectedProcedure.output(meOutputSchema).query(({ ctx }) => {
  const { sessions, backUrl } = ctx.services;
  const logoutUrl = new URL('/api/logout', backUrl);
  logoutUrl.searchParams.set('sid', ctx.session.logoutId);
  return {
    user: { ...ctx.user, groups: [...ctx.user.groups] },
    session: {
      expiresAt: new Date(sessions.expiresAt(ctx.session)).toISOString(),
      accessTokenExpiresAt: new Date(ctx.session.accessTokenExpiresAt).toISOString(),
    },
    logoutUrl: logoutUrl.href,
  };
});
