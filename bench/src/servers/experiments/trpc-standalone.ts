import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { publicRouter } from '../public-router.js';
import { serve } from '../serve.js';

await serve(createHTTPHandler({ router: publicRouter, basePath: '/api/trpc/' }));
