import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { publicRouter } from '../public-router.js';
import { serve } from '../serve.js';
import { sendResponse, toRequest } from './fetch-bridge.js';

// The public `me` through tRPC's fetch adapter behind the leanest Node handler that can host it.
await serve((req, res) => {
  fetchRequestHandler({ endpoint: '/api/trpc', req: toRequest(req), router: publicRouter })
    .then((response) => sendResponse(res, response))
    .catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
});
