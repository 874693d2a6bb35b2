import { TRPCError } from '@trpc/server';
import { deviceSessionSchema, revokeSessionInputSchema, type DeviceSession } from '@oidc-bff/protocol/schemas';
import { z } from 'zod';
import { protectedProcedure, router } from './init.js';

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
    return { ended: 1 };
  }),

  /** "Sign out everywhere else". */
  revokeOthers: protectedProcedure.mutation(async ({ ctx }) => {
    const { sessions } = ctx.services;
    const others = (await sessions.listBySub(ctx.user.sub)).filter((s) => s.id !== ctx.session.id);
    await Promise.all(others.map((s) => sessions.destroy(s.id)));
    return { ended: others.length };
  }),
});
