/**
 * The production entry as it runs in production: `server/dist/main.js` itself, imported
 * into this process with NODE_ENV=production, its own pino logger at info writing every
 * request line to stdout (a pipe the bench reads, as a container runtime would), sessions
 * in Redis. Only the bench's IPC (stats, profile) is added beside it.
 */
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { answerRequests } from '../ipc.js';
import type { BffServerOptions } from './bff-api.js';
import { processStats, profiler, serverOptions } from './serve.js';

const options = serverOptions<BffServerOptions>();
Object.assign(process.env, options.env, { NODE_ENV: 'production', PORT: String(options.port) });
if (options.redisUrl) process.env.REDIS_URL = options.redisUrl;
const main = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../server/dist/main.js');
await import(pathToFileURL(main).href);

// main.js listens by itself: ready once its health endpoint says so (IdP discovered).
const health = `http://127.0.0.1:${options.port}/api/health`;
for (let attempt = 0; ; attempt++) {
  const ok = await fetch(health).then(
    (response) => response.ok,
    () => false,
  );
  if (ok) break;
  if (attempt > 200) throw new Error(`the production entry did not report healthy at ${health}`);
  await new Promise((done) => setTimeout(done, 100));
}
answerRequests({ stats: () => processStats(), notes: () => ({}), stop: () => process.exit(0), ...profiler() });
process.on('disconnect', () => process.exit(0));
process.send?.({ type: 'ready', port: options.port });
