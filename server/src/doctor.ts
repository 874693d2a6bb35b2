/**
 * `npm run doctor`: the machinery's doctor on the app's configuration (the environment, then the
 * repository's `.env`; the environment wins), with `npm start` running or against a real IdP.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDotEnv, runDoctor } from '@oidc-bff/server';

loadDotEnv([resolve(process.cwd(), '.env'), resolve(fileURLToPath(import.meta.url), '../../../.env')]);
process.exitCode = await runDoctor(process.env);
