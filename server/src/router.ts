import { bffRouter, mergeRouters, router } from '@oidc-bff/server';
import { chatRouter } from './routers/chat.js';
import { analyticsProcedure } from './routers/analytics.js';
import { reportsRouter } from './routers/reports.js';

/** The app's procedures beside the BFF's own (`me`, `sessions`). */
export const appRouter = mergeRouters(
  bffRouter,
  router({
    chat: chatRouter,
    analytics: analyticsProcedure,
    reports: reportsRouter,
  }),
);

/** The API's type, imported (type-only) by the client. */
export type AppRouter = typeof appRouter;
