import { analyticsOutputSchema } from '@bff/shared/schemas';
import { roleProcedure } from '@oidc-bff/server';

/** Who may read analytics: the `analyst` role (granted by the `analysts` group unless ROLE_MAP says otherwise). */
export const analyticsProcedure = roleProcedure('analyst')
  .output(analyticsOutputSchema)
  .query(({ ctx }) => ctx.app.analytics.snapshot(() => ctx.services.sessions.count()));
