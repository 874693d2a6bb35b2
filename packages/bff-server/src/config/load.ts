import { existsSync } from 'node:fs';
import { ConfigError, loadConfig, type Config, type Env } from './env.js';

/**
 * Reads the first `.env` file found (Node's built-in loader); variables already in
 * the environment win over the file. Nothing happens when there is none.
 */
export function loadDotEnv(candidates: readonly string[]): string | undefined {
  const file = candidates.find((path) => existsSync(path));
  if (file) process.loadEnvFile(file);
  return file;
}

/** Reads the environment once; a bad configuration ends the process with every problem named. */
export function configFromEnvironment(env: Env = process.env, options: Parameters<typeof loadConfig>[1] = {}): Config {
  try {
    return loadConfig(env, options);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
