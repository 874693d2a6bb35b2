import { serve } from './serve.js';

// The memory floor of a bench server child (Node, tsx's loader thread, `serve`), for reading the RSS column.
await serve((_req, res) => {
  res.writeHead(404).end();
});
