import { diagnose, formatFindings } from './doctor.js';
import { registrationBlock, type DiscoveryMetadata } from './doctor-registration.js';
import { ConfigError, loadConfig, type Env } from './env.js';

/**
 * The doctor as a command runs it: the configuration the API would start with, checked against
 * the live IdP, Redis and directory, then what to register at the IdP. Writes its report to
 * `out` and returns the exit code (1 on errors).
 */
export async function runDoctor(env: Env, out: { write(text: string): unknown } = process.stdout): Promise<number> {
  const findings = await diagnose(env);
  out.write(`${formatFindings(findings)}\n`);
  try {
    const config = loadConfig(env);
    const discovery = new URL('.well-known/openid-configuration', config.oidc.issuer.href.endsWith('/') ? config.oidc.issuer : `${config.oidc.issuer.href}/`);
    const metadata = await fetch(discovery, { signal: AbortSignal.timeout(config.oidc.timeoutMs) })
      .then((r) => (r.ok ? (r.json() as Promise<DiscoveryMetadata>) : undefined))
      .catch(() => undefined);
    out.write(`\n${registrationBlock(config, metadata)}\n`);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
  }
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.filter((f) => f.severity === 'warn').length;
  out.write(`\n${errors} error(s), ${warnings} warning(s)\n`);
  return errors > 0 ? 1 : 0;
}
