import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Debian's Chromium; browsers are never downloaded. */
export function chromiumPath(): string {
  const fromEnv = process.env['CHROMIUM_PATH'];
  if (fromEnv) return fromEnv;
  try {
    return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim().split('\n')[0] ?? '';
  } catch {
    throw new Error(
      'Chromium is required for the browser tests and was not found. Install it with `apt-get install -y chromium` (Debian/Ubuntu) or point CHROMIUM_PATH at a Chromium binary.',
    );
  }
}

export interface LaunchOptions {
  /** Chromium blocks third-party cookies by default, as real users' browsers do; this profile allows them. */
  readonly allowThirdPartyCookies?: boolean;
  /** SPKI hashes of test certificates to trust. */
  readonly trustSpki?: readonly string[];
}

/** Launches Chromium with a fresh profile; `*.test` host names resolve to loopback. */
export async function launch(options: LaunchOptions = {}): Promise<BrowserContext> {
  const profile = mkdtempSync(join(tmpdir(), 'bff-e2e-profile-'));
  if (options.allowThirdPartyCookies) {
    mkdirSync(join(profile, 'Default'), { recursive: true });
    writeFileSync(join(profile, 'Default', 'Preferences'), JSON.stringify({ profile: { cookie_controls_mode: 0, block_third_party_cookies: false } }));
  }
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--host-resolver-rules=MAP *.test 127.0.0.1',
  ];
  if (options.trustSpki?.length) args.push(`--ignore-certificate-errors-spki-list=${options.trustSpki.join(',')}`);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    args,
    viewport: { width: 1280, height: 860 },
  });
  // The profile goes with the browser. Chromium may still be writing to it when the context
  // says it closed, so the removal retries (ENOTEMPTY) and a leftover is no failure.
  context.once('close', () => void rm(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 }).catch(() => undefined));
  // Nothing outside this machine is reachable; fail such requests at once instead of waiting.
  await context.route(/^https?:\/\/(?![^/]*\.test[:/]|localhost[:/]|127\.0\.0\.1[:/])/, (route) => route.abort());
  return context;
}
