import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the API's development keys for the FAPI 2.0 profile are, as `OIDC_CLIENT_PRIVATE_KEY` and `OIDC_DPOP_PRIVATE_KEY` expect them. */
export interface DevClientKeyFiles {
  /** Signs `private_key_jwt` client assertions. */
  readonly clientKey: string;
  /** Signs DPoP proofs. */
  readonly dpopKey: string;
}

/**
 * Makes sure `dir` holds two EC P-256 (ES256) private keys in PKCS#8 PEM, one for
 * client authentication and one for DPoP, and returns their paths. Existing files
 * are kept, so the keys survive restarts (sessions stay bound to the same DPoP key).
 * Development and tests only: the folder is git-ignored and the keys are throw-away.
 */
export function writeDevClientKeys(dir: string): DevClientKeyFiles {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files: DevClientKeyFiles = { clientKey: join(dir, 'client-key.pem'), dpopKey: join(dir, 'dpop-key.pem') };
  for (const path of Object.values(files)) {
    if (existsSync(path)) continue;
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(path, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
  }
  return files;
}
