import { analyticsOutputSchema } from '@bff/shared/schemas';
import { groupProcedure } from '../../trpc/init.js';

/** The group whose members may read analytics. */
export const ANALYSTS_GROUP = 'analysts';

export const analyticsProcedure = groupProcedure(ANALYSTS_GROUP)
  .output(analyticsOutputSchema)
  .query(async ({ ctx }) => ctx.services.metrics.snapshot(await ctx.services.sessions.count()));
