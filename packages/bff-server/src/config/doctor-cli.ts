#!/usr/bin/env node
import { resolve } from 'node:path';
import { diagnose, formatFindings } from './doctor.js';
import { registrationBlock, type DiscoveryMetadata } from './doctor-registration.js';
import { ConfigError, loadConfig } from './env.js';
import { loadDotEnv } from './load.js';

/**
 * `oidc-bff-doctor` (`npm run doctor`): checks the configuration the API would start with (the
 * environment, then `.env` in the working directory or where npm was started) against the live IdP, Redis and directory; prints what to
 * register at the IdP; exits 1 on errors.
 */
loadDotEnv([resolve(process.cwd(), '.env'), ...(process.env['INIT_CWD'] ? [resolve(process.env['INIT_CWD'], '.env')] : [])]);
const findings = await diagnose(process.env);
process.stdout.write(`${formatFindings(findings)}\n`);

try {
  const config = loadConfig(process.env);
  const discovery = new URL('.well-known/openid-configuration', config.oidc.issuer.href.endsWith('/') ? config.oidc.issuer : `${config.oidc.issuer.href}/`);
  const metadata = await fetch(discovery, { signal: AbortSignal.timeout(config.oidc.timeoutMs) })
    .then((r) => (r.ok ? (r.json() as Promise<DiscoveryMetadata>) : undefined))
    .catch(() => undefined);
  process.stdout.write(`\n${registrationBlock(config, metadata)}\n`);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
}

const errors = findings.filter((f) => f.severity === 'error').length;
const warnings = findings.filter((f) => f.severity === 'warn').length;
process.stdout.write(`\n${errors} error(s), ${warnings} warning(s)\n`);
process.exitCode = errors > 0 ? 1 : 0;
