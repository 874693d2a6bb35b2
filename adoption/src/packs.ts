import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { npmEnv } from './npm.js';

const run = promisify(execFile);

/** The repository root: `adoption/src/..`. */
export const WORKSPACE = resolve(import.meta.dirname, '../..');

/** The machinery packages, as a team installs them. */
export const MACHINERY = {
  protocol: 'packages/bff-protocol',
  server: 'packages/bff-server',
  angular: 'packages/bff-angular',
} as const;
export type MachineryPackage = keyof typeof MACHINERY;

/** What of a `package.json` these checks read. */
export interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly private?: boolean;
  readonly main?: string;
  readonly types?: string;
  readonly exports?: unknown;
  readonly bin?: string | Record<string, string>;
  readonly dependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
}

/** A machinery package packed as `npm publish` would send it. */
export interface Pack {
  readonly name: string;
  readonly version: string;
  /** Its folder in the workspace. */
  readonly dir: string;
  /** The absolute path of the `.tgz`. */
  readonly tarball: string;
  /** The paths in the tarball, as `npm pack --json` lists them. */
  readonly files: readonly string[];
  readonly manifest: Manifest;
}

export function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
}

/**
 * `npm pack`s the package in `dir` into `destination`. Without its `prepack` (a build, for a bare
 * `npm pack` in a fresh clone): turbo built every package before this task.
 */
export async function pack(dir: string, destination: string): Promise<Pack> {
  const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', destination, '--loglevel=error'], {
    cwd: dir,
    env: npmEnv(),
  });
  const [result] = JSON.parse(stdout) as Array<{ name: string; version: string; filename: string; files: Array<{ path: string }> }>;
  if (!result) throw new Error(`npm pack in ${dir} reported nothing`);
  return {
    name: result.name,
    version: result.version,
    dir,
    tarball: join(destination, result.filename),
    files: result.files.map((f) => f.path),
    manifest: readManifest(dir),
  };
}

const TEST_FILE = /\.(test|spec|typetest)\.(d\.)?[cm]?[jt]s(\.map)?$/;

/** Every file path an `exports` map, `main`, `types` or `bin` points at. */
function entryPoints(manifest: Manifest): string[] {
  const found: string[] = [];
  const walk = (value: unknown) => {
    if (typeof value === 'string') found.push(value);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(manifest.exports);
  walk(manifest.bin);
  if (manifest.main) found.push(manifest.main);
  if (manifest.types) found.push(manifest.types);
  return found.map((path) => path.replace(/^\.\//, ''));
}

/**
 * What keeps a packed package from being published as it is: no real version, marked
 * private, tests, test-only code, sources or build state inside, an entry point that is
 * not in the tarball (a `files` or `exports` map that misses the built `dist/`), a build
 * output left over from a source file that no longer exists (a fresh clone's build would
 * not ship it), or a dependency only this workspace can resolve.
 */
export function packProblems(packed: Pack): string[] {
  const { manifest, files } = packed;
  const problems: string[] = [];
  if (manifest.private) problems.push('is private: it cannot be published');
  if (!/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(manifest.version) || manifest.version === '0.0.0') problems.push(`has no real version (${manifest.version})`);
  if (files.length <= 2) problems.push(`holds only ${files.join(', ')}: dist/ is not built (turbo run build) or not in "files"`);
  for (const file of files) {
    if (TEST_FILE.test(file)) problems.push(`ships a test file: ${file}`);
    if (/(^|\/)testing\//.test(file)) problems.push(`ships test-only code: ${file}`);
    if (file.startsWith('src/')) problems.push(`ships a source file: ${file}`);
    if (file.endsWith('.tsbuildinfo')) problems.push(`ships build state: ${file}`);
    const source = /^dist\/(.+?)(?:\.d\.ts|\.js)$/.exec(file)?.[1];
    if (source && !existsSync(join(packed.dir, 'src', `${source}.ts`)))
      problems.push(`ships ${file}, left over from a source that is gone (a fresh build would not)`);
  }
  for (const entry of entryPoints(manifest)) {
    if (!files.includes(entry)) problems.push(`points at ${entry}, which is not in the tarball`);
  }
  for (const dependencies of [manifest.dependencies, manifest.peerDependencies]) {
    for (const name of Object.keys(dependencies ?? {})) {
      if (name.startsWith('@bff/')) problems.push(`depends on ${name}, a package of this workspace only`);
    }
  }
  return problems;
}
