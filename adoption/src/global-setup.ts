import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { requireProgram } from '@bff/test-kit';
import { MACHINERY, WORKSPACE, pack, type MachineryPackage, type Pack } from './packs.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The machinery packages, packed once for every test file. */
    packs: Record<MachineryPackage, Pack>;
  }
}

/** Packs the machinery packages (built by turbo's `^build` before this runs) into a temporary folder. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  requireProgram('npm', 'npm');
  const destination = await mkdtemp(join(tmpdir(), 'oidc-bff-packs-'));
  const packed = (key: MachineryPackage) => pack(join(WORKSPACE, MACHINERY[key]), destination);
  project.provide('packs', { protocol: await packed('protocol'), server: await packed('server'), angular: await packed('angular') });
  return () => rm(destination, { recursive: true, force: true });
}
