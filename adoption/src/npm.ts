import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * What `npm test` tells its scripts about this workspace. Passed on, they would make npm
 * in a scratch folder work on the workspace instead (`npm_config_local_prefix`) or on
 * the global prefix (`npm_config_prefix`).
 */
const WORKSPACE_CONFIG = new Set([
  'npm_config_local_prefix',
  'npm_config_prefix',
  'npm_config_global_prefix',
  'npm_config_global',
  'npm_config_workspace',
  'npm_config_workspaces',
  'npm_config_include_workspace_root',
  'npm_config_call',
]);

/** The environment for npm run outside the workspace: the user's npm configuration (registry, cache, proxy), nothing of the workspace. */
export function npmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([key]) => {
      const lower = key.toLowerCase();
      return !(lower.startsWith('npm_') && !lower.startsWith('npm_config_')) && !WORKSPACE_CONFIG.has(lower);
    }),
  );
}

/**
 * `npm install` in a scratch folder, from the npm cache where it can (the workspace's
 * install warmed it) and from the registry for the rest.
 * @throws naming what to fix when npm fails.
 */
export async function npmInstall(dir: string): Promise<void> {
  try {
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, env: npmEnv(), timeout: 150_000 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(
      `npm install failed in the scratch app ${dir}. It needs the npm cache warmed by the workspace's install (npm ci at the repository root) or the npm registry for what is not cached.\n${stderr}`,
      { cause: error },
    );
  }
}
