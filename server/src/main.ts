/**
 * The production entry: `node server/dist/main.js` (`npm run serve`). Reads the
 * environment (and a `.env` file in the working directory or the repository root;
 * the environment wins), validates it once, listens, and stops gracefully on SIGTERM.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configFromEnvironment, createLogger, loadDotEnv } from '@oidc-bff/server';
import { startApi } from './api.js';

const here = dirname(fileURLToPath(import.meta.url));
const repository = resolve(here, '../..');
loadDotEnv([resolve(process.cwd(), '.env'), resolve(repository, '.env')]);
const builtWeb = resolve(repository, 'client/dist/client/browser');
const logger = createLogger();
const config = configFromEnvironment(process.env, { defaultWebRoot: existsSync(resolve(builtWeb, 'index.html')) ? builtWeb : undefined });
const running = await startApi(config, logger);

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info('api.stopping', { signal });
    const deadline = setTimeout(() => process.exit(1), 15_000);
    deadline.unref();
    running.close({ graceMs: 10_000 }).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
