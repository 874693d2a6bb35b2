import { initTRPC } from '@trpc/server';
import { ME_RESPONSE } from './fixtures.js';

const t = initTRPC.create({ isDev: false });

/** The smallest tRPC router with a `me` like ours, minus authentication. */
export const publicRouter = t.router({
  me: t.procedure.query(() => ME_RESPONSE),
});
