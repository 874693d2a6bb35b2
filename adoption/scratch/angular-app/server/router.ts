// The team's API router, as the package README has it: its procedures merged with the
// BFF's own (me, sessions). The Angular app imports its type only.
import { bffRouter, mergeRouters, protectedProcedure, router } from '@oidc-bff/server';

export const helloRouter = router({
  hello: protectedProcedure.query(({ ctx }) => ({ hello: ctx.user.name })),
});

export const appRouter = mergeRouters(bffRouter, helloRouter);
export type ScratchRouter = typeof appRouter;

/** The team's procedures alone, without the BFF's me: not a router provideBff accepts. */
export type HelloRouter = typeof helloRouter;
