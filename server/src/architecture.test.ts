import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCircular, parseDependencyTree } from 'dpdm';
import { describe, expect, it } from 'vitest';

/** The boundaries the README's architecture promises, checked on the real tree. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Every workspace of the root manifest: a new one is checked without being listed here. */
const PACKAGES = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces;
/** The BFF machinery: what any app installs. */
const MACHINERY = ['packages/bff-protocol', 'packages/bff-server', 'packages/bff-angular'];
/** This repository's app, built on the machinery's public entries. */
const APP = ['shared', 'server', 'client'];
const packageOf = (path: string) => PACKAGES.find((pkg) => path === pkg || path.startsWith(`${pkg}/`));
const importsOf = (file: string) => [...readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map(([, spec]) => spec ?? '');

function files(dir: string, keep: (path: string) => boolean): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (['node_modules', 'dist', '.angular', '.turbo', 'results'].includes(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...files(path, keep));
    else if (keep(path)) out.push(path);
  }
  return out;
}

/** Every package of the workspace (machinery, app and tooling), from the root manifest: a new one is checked too. */
const WORKSPACES = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces;

describe('architecture', () => {
  // dpdm parses each file with TypeScript's own parser and resolves imports as the package's
  // tsconfig does (`./x.js` to `x.ts`, extensionless in the client). With `transform` off it
  // counts `import type` and `export type ... from` as edges: a type-only cycle still marks a
  // type in the wrong file. Dynamic `import()` counts too.
  it('has no file-level import cycle in any package, type imports included', async () => {
    const cycles: string[] = [];
    const unresolved: string[] = [];
    for (const pkg of WORKSPACES) {
      const dir = join(ROOT, pkg);
      const sources = files(dir, (p) => /\.(ts|mts|cts|tsx|js|mjs|cjs)$/.test(p) && !p.endsWith('.d.ts'));
      const tree = await parseDependencyTree(
        sources.map((file) => relative(dir, file)),
        {
          cwd: dir,
          context: dir,
          transform: false,
          include: new RegExp(`^${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/`),
          exclude: /\/(node_modules|dist)\//,
        },
      );
      for (const cycle of parseCircular(tree)) cycles.push(`${pkg}: ${[...cycle, cycle[0]].join(' → ')}`);
      // A relative import the checker cannot resolve would hide any cycle through it.
      for (const [file, dependencies] of Object.entries(tree))
        for (const dependency of dependencies ?? [])
          if (dependency.id === null && dependency.request.startsWith('.')) unresolved.push(`${pkg}/${file} → ${dependency.request}`);
    }
    expect(unresolved).toEqual([]);
    expect(cycles).toEqual([]);
  });

  it("no package reaches into another package's src/", () => {
    const offenders: string[] = [];
    for (const pkg of PACKAGES) {
      for (const file of files(join(ROOT, pkg), (p) => /\.(ts|mjs)$/.test(p))) {
        for (const spec of importsOf(file)) {
          if (!spec.startsWith('.')) continue;
          const target = packageOf(relative(ROOT, join(file, '..', spec)));
          if (target !== undefined && target !== pkg) offenders.push(`${relative(ROOT, file)} → ${spec}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the machinery imports nothing of the app', () => {
    const offenders: string[] = [];
    for (const pkg of MACHINERY) {
      for (const file of files(join(ROOT, pkg), (p) => /\.(ts|mjs)$/.test(p))) {
        for (const spec of importsOf(file)) if (/^@bff\/(shared|server|client)(\/|$)/.test(spec)) offenders.push(`${relative(ROOT, file)} → ${spec}`);
      }
      const manifest = JSON.parse(readFileSync(join(ROOT, pkg, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
      for (const section of ['dependencies', 'peerDependencies', 'devDependencies'])
        for (const name of Object.keys(manifest[section] ?? {}))
          if (/^@bff\/(shared|server|client)$/.test(name)) offenders.push(`${pkg}/package.json → ${name}`);
    }
    expect(offenders).toEqual([]);
  });

  it("the app uses the machinery's public entries only", () => {
    const offenders: string[] = [];
    // The public entries are what each machinery package declares in its `exports` map: an entry
    // added there is public, and nothing else (a deep import into dist/ or src/) ever is.
    const publicEntries = new Set(
      MACHINERY.flatMap((pkg) => {
        const manifest = JSON.parse(readFileSync(join(ROOT, pkg, 'package.json'), 'utf8')) as { name: string; exports: Record<string, unknown> };
        return Object.keys(manifest.exports).map((entry) => (entry === '.' ? manifest.name : `${manifest.name}/${entry.replace(/^\.\//, '')}`));
      }),
    );
    expect(publicEntries).toContain('@oidc-bff/angular/remote');
    for (const pkg of APP) {
      for (const file of files(join(ROOT, pkg), (p) => /\.(ts|mjs)$/.test(p))) {
        for (const spec of importsOf(file)) if (spec.startsWith('@oidc-bff/') && !publicEntries.has(spec)) offenders.push(`${relative(ROOT, file)} → ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the production server depends on no development IdP and ships no test or development code', () => {
    const production = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable', '-w', 'server'], { cwd: ROOT, encoding: 'utf8' });
    expect(production).not.toMatch(/oidc-provider|@bff\/dev-idp|@bff\/test-kit|vitest/);
    const built = ['server/dist', 'packages/bff-server/dist', 'packages/bff-protocol/dist'].flatMap((dir) => files(join(ROOT, dir), (p) => p.endsWith('.js')));
    expect(built.length).toBeGreaterThan(40);
    expect(built.filter((p) => /\.test\.js$|test-support|dev-idp|\/testing\/test-app/.test(p))).toEqual([]);
    for (const file of built) expect(readFileSync(file, 'utf8')).not.toMatch(/from '(@bff\/dev-idp|@bff\/test-kit|oidc-provider|vitest)'/);
  });
});
