// Runs before `npm start`, `npm test` and `npm run serve`: installs the dependencies
// on a fresh clone (or after package-lock.json changed), so that the README's two
// commands work with nothing run before them. Plain Node: nothing to install first.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lock = join(root, 'package-lock.json');
// npm rewrites this file at the end of every install.
const installed = join(root, 'node_modules', '.package-lock.json');

const stale = !existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs;
if (stale) {
  process.stdout.write('Installing dependencies (npm ci): node_modules is missing or older than package-lock.json…\n');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit', env: { ...process.env, NG_CLI_ANALYTICS: 'false' } });
  if (result.status !== 0) {
    process.stderr.write('npm ci failed; see above. Node.js >= 20.19 and npm 11 are required.\n');
    process.exit(result.status ?? 1);
  }
}
