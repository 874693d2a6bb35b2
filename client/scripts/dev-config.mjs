// `npm start` (the client's dev task): writes the config.json that `ng serve` serves,
// naming the API from BACK_URL (the environment, then the repository's .env; the
// environment wins), so that the web app follows the API wherever it is configured.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const client = join(dirname(fileURLToPath(import.meta.url)), '..');
const dotEnv = join(client, '..', '.env');
if (existsSync(dotEnv)) process.loadEnvFile(dotEnv);
const apiUrl = new URL(process.env.BACK_URL?.trim() || 'http://localhost:3000').href.replace(/\/$/, '');
const folder = join(client, '.angular', 'dev-config');
mkdirSync(folder, { recursive: true });
writeFileSync(join(folder, 'config.json'), `${JSON.stringify({ apiUrl })}\n`);
process.stdout.write(`web app: /config.json → ${apiUrl}\n`);
