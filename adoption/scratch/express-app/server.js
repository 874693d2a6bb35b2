// A team's own Express server, in plain JavaScript, with the BFF installed from its
// tarball: its home page, its one procedure merged with the BFF's me and sessions.
import express from 'express';
import { bffRouter, createBff, loadConfig, mergeRouters, protectedProcedure, router } from '@oidc-bff/server';

const appRouter = mergeRouters(
  bffRouter,
  router({
    hello: protectedProcedure.query(({ ctx }) => ({ hello: ctx.user.name })),
  }),
);

const bff = await createBff(loadConfig(process.env), { router: appRouter });

const app = express();
app.get('/', (_req, res) => res.send('scratch home'));
app.use(bff.middleware);

const server = app.listen(bff.config.port, '127.0.0.1', () => bff.start());

process.once('SIGTERM', () => {
  bff.drain();
  server.close(() => void bff.close());
});
