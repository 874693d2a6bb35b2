import express from 'express';
import cookieParser from 'cookie-parser';
import cors from 'cors';
import { ME_RESPONSE } from './fixtures.js';
import { serve, serverOptions } from './serve.js';

const { front } = serverOptions<{ front: string }>();

const app = express();
app.disable('x-powered-by');
app.use(cors({ origin: front, credentials: true }));
app.use(cookieParser());
app.get('/me', (_req, res) => {
  res.json(ME_RESPONSE);
});

await serve(app);
