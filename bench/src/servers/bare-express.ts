import express from 'express';
import { ME_RESPONSE } from './fixtures.js';
import { serve } from './serve.js';

const app = express();
app.disable('x-powered-by');
app.get('/me', (_req, res) => {
  res.json(ME_RESPONSE);
});

await serve(app);
