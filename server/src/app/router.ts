import { router } from '../trpc/init.js';
import { meProcedure } from './routers/me.js';
import { chatRouter } from './routers/chat.js';
import { analyticsProcedure } from './routers/analytics.js';

export const appRouter = router({
  me: meProcedure,
  chat: chatRouter,
  analytics: analyticsProcedure,
});

/** The API's type, imported (type-only) by the client. */
export type AppRouter = typeof appRouter;
