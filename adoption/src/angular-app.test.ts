import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { npmInstall } from './npm.js';
import { createScratchApp, installedCopies, testedRange, type ScratchApp } from './scratch.js';

const run = promisify(execFile);
const packs = inject('packs');

let scratch: ScratchApp | undefined;

function scratchDir(): string {
  if (!scratch) throw new Error('the scratch Angular app was not created');
  return scratch.dir;
}

beforeAll(async () => {
  const manifests = [packs.angular.manifest, packs.server.manifest];
  const peers = ['@angular/core', '@angular/common', '@angular/router', '@angular/platform-browser', '@trpc/client', '@trpc/server', 'rxjs', 'typescript'];
  scratch = await createScratchApp('angular-app', {
    '@oidc-bff/protocol': `file:${packs.protocol.tarball}`,
    '@oidc-bff/angular': `file:${packs.angular.tarball}`,
    // The team's API router (server/router.ts) is built on the server package; the app imports its type.
    '@oidc-bff/server': `file:${packs.server.tarball}`,
    ...Object.fromEntries(peers.map((name) => [name, testedRange(name, manifests)])),
  });
  await npmInstall(scratchDir());
});

afterAll(() => scratch?.remove());

describe('an Angular app with @oidc-bff/angular installed from its tarball', () => {
  it('shares one protocol package and one tRPC server package between the server and Angular packages', () => {
    expect(installedCopies(scratchDir(), '@oidc-bff/protocol')).toEqual([packs.protocol.version]);
    expect(installedCopies(scratchDir(), '@trpc/server')).toHaveLength(1);
  });

  it('compiles (tsc --noEmit, strict) with provideBff<ScratchRouter>, its guards and injectTrpc, and refuses a router without me', async () => {
    const tsc = join(scratchDir(), 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: scratchDir() }).then(
      ({ stdout }) => ({ ok: true, output: stdout }),
      (error: { stdout?: string; stderr?: string }) => ({ ok: false, output: `${error.stdout ?? ''}${error.stderr ?? ''}` }),
    );
    expect(result.output).toBe('');
    expect(result.ok).toBe(true);
  });
});
