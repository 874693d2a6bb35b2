import { readFileSync, readdirSync } from 'node:fs';
import { cp, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { WORKSPACE, type Manifest } from './packs.js';

/** A scratch app in a temporary folder outside the workspace, as a team's own repository would be. */
export interface ScratchApp {
  readonly dir: string;
  remove(): Promise<void>;
}

/** The templates of the scratch apps: `adoption/scratch/<name>`. */
export const TEMPLATES = join(import.meta.dirname, '..', 'scratch');

/**
 * Copies the template `scratch/<name>` into a new folder under the system's temporary
 * folder and gives it its own `package.json` with `dependencies`.
 */
export async function createScratchApp(name: string, dependencies: Record<string, string>): Promise<ScratchApp> {
  const dir = await mkdtemp(join(await realpath(tmpdir()), `oidc-bff-${name}-`));
  const remove = () => rm(dir, { recursive: true, force: true });
  if (!relative(WORKSPACE, dir).startsWith('..')) {
    await remove();
    throw new Error(
      `The temporary folder ${dir} is inside the workspace ${WORKSPACE}: the scratch app would resolve the workspace's packages. Set TMPDIR to a folder outside it.`,
    );
  }
  await cp(join(TEMPLATES, name), dir, { recursive: true });
  const manifest = { name: `scratch-${name}`, version: '1.0.0', private: true, type: 'module', dependencies };
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return { dir, remove };
}

/**
 * The version range of `name` that the machinery packages are built and tested with
 * (their devDependencies first, then dependencies and peers), so that a scratch app
 * installs what the workspace's install left in the npm cache.
 */
export function testedRange(name: string, manifests: readonly Manifest[]): string {
  for (const kind of ['devDependencies', 'dependencies', 'peerDependencies'] as const) {
    for (const manifest of manifests) {
      const range = manifest[kind]?.[name];
      if (range) return range;
    }
  }
  throw new Error(`No machinery package names ${name}: add it to the package that needs it.`);
}

/**
 * The versions of `name` installed anywhere in `dir`'s node_modules: one, when every
 * package that depends on it shares the copy the scratch app installed from its tarball.
 */
export function installedCopies(dir: string, name: string): string[] {
  const versions: string[] = [];
  const visit = (modules: string) => {
    let entries: string[];
    try {
      entries = readdirSync(modules);
    } catch {
      return;
    }
    for (const entry of entries) {
      const packages = entry.startsWith('@') ? readdirSync(join(modules, entry)).map((scoped) => `${entry}/${scoped}`) : [entry];
      for (const pkg of packages) {
        const pkgDir = join(modules, pkg);
        if (pkg === name) versions.push((JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as Manifest).version);
        visit(join(pkgDir, 'node_modules'));
      }
    }
  };
  visit(join(dir, 'node_modules'));
  return versions;
}
