import express from 'express';
import { createExpressMiddleware } from '@trpc/server/adapters/express';
import { publicRouter } from './public-router.js';
import { serve } from './serve.js';

const app = express();
app.disable('x-powered-by');
app.use('/api/trpc', createExpressMiddleware({ router: publicRouter }));

await serve(app);
