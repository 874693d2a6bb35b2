import { analyticsOutputSchema } from '@bff/shared/schemas';
import { roleProcedure } from '@oidc-bff/server';

/** Who may read analytics: the `analyst` role (granted by the `analysts` group unless ROLE_MAP says otherwise). */
export const analyticsProcedure = roleProcedure('analyst')
  .output(analyticsOutputSchema)
  .query(async ({ ctx }) => ctx.app.metrics.snapshot(await ctx.services.sessions.count()));
