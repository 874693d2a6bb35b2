import { TRPCError } from '@trpc/server';
import { deviceSessionSchema, revokeSessionInputSchema, type DeviceSession } from '@oidc-bff/protocol/schemas';
import { z } from 'zod';
import { protectedProcedure, router } from './init.js';
import type { Context } from './context.js';
import type { SessionData } from '../session/store.js';

/**
 * "Signed-in devices", provided by the BFF to every app: the caller's own sessions,
 * ending one, or all but the current one. Only ever the caller's sessions (looked up by
 * the verified `sub`); ids are derived, never session handles.
 */
export const sessionsRouter = router({
  list: protectedProcedure.output(z.array(deviceSessionSchema)).query(async ({ ctx }): Promise<DeviceSession[]> => {
    const { sessions } = ctx.services;
    const mine = await sessions.listBySub(ctx.user.sub);
    return mine
      .sort((a, b) => b.lastSeenAt - a.lastSeenAt)
      .map((s) => ({
        id: sessions.publicIdOf(s.id),
        createdAt: new Date(s.createdAt).toISOString(),
        lastActiveAt: new Date(s.lastSeenAt).toISOString(),
        browser: s.device.browser,
        os: s.device.os,
        place: null,
        current: s.id === ctx.session.id,
      }));
  }),

  /** Ends one of the caller's sessions; NOT_FOUND for any id that is not one of theirs. */
  revoke: protectedProcedure.input(revokeSessionInputSchema).mutation(async ({ ctx, input }) => {
    const { sessions } = ctx.services;
    const target = (await sessions.listBySub(ctx.user.sub)).find((s) => sessions.publicIdOf(s.id) === input.id);
    if (!target) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such session.' });
    await sessions.destroy(target.id);
    reportRevoked(ctx, [target]);
    return { ended: 1 };
  }),

  /** "Sign out everywhere else". */
  revokeOthers: protectedProcedure.mutation(async ({ ctx }) => {
    const { sessions } = ctx.services;
    const others = (await sessions.listBySub(ctx.user.sub)).filter((s) => s.id !== ctx.session.id);
    await Promise.all(others.map((s) => sessions.destroy(s.id)));
    reportRevoked(ctx, others);
    return { ended: others.length };
  }),
});

/** Tells the hooks (metrics, audit) of each session the caller ended, and from which session. */
function reportRevoked(ctx: Context & { readonly session: SessionData }, ended: readonly SessionData[]): void {
  const { hooks, sessions } = ctx.services;
  if (!hooks.onLogout) return;
  const revokedBy = sessions.publicIdOf(ctx.session.id);
  const request = ctx.request?.();
  for (const session of ended) {
    hooks.onLogout({ kind: 'revoked', sub: session.sub, sessionId: sessions.publicIdOf(session.id), sessions: 1, revokedBy, ...(request ? { request } : {}) });
  }
}
