import { router } from '../trpc/init.js';
import { meProcedure } from './routers/me.js';
import { chatRouter } from './routers/chat.js';
import { analyticsProcedure } from './routers/analytics.js';
import { sessionsRouter } from '../trpc/sessions-router.js';

export const appRouter = router({
  me: meProcedure,
  chat: chatRouter,
  analytics: analyticsProcedure,
  /** Provided by the BFF: the user's signed-in devices. */
  sessions: sessionsRouter,
});

/** The API's type, imported (type-only) by the client. */
export type AppRouter = typeof appRouter;
