import { meProcedure } from './me.js';
import { router } from './init.js';
import { sessionsRouter } from './sessions-router.js';

/**
 * The BFF's own procedures, which the Angular package calls: `me` (the signed-in user,
 * the session's deadlines and the logout URL) and `sessions` (signed-in devices). An app
 * merges them with its own routers:
 *
 * @example
 * export const appRouter = mergeRouters(bffRouter, router({ chat: chatRouter }));
 * export type AppRouter = typeof appRouter;
 */
export const bffRouter = router({
  me: meProcedure,
  sessions: sessionsRouter,
});
export type BffRouter = typeof bffRouter;
