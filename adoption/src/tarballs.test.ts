import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { MACHINERY, WORKSPACE, packProblems, type Pack } from './packs.js';

const packs = inject('packs');

describe('the machinery packages, as npm pack makes them', () => {
  it.each(Object.values(packs).map((packed) => [packed.name, packed] as const))('%s is clean and publishable', (_name, packed) => {
    expect(packProblems(packed)).toEqual([]);
  });
});

describe('packProblems', () => {
  const clean: Pack = {
    name: '@oidc-bff/protocol',
    version: '0.1.0',
    dir: join(WORKSPACE, MACHINERY.protocol),
    tarball: '/tmp/oidc-bff-protocol-0.1.0.tgz',
    files: ['package.json', 'README.md', 'dist/index.js', 'dist/index.d.ts', 'dist/paths.js'],
    manifest: { name: '@oidc-bff/protocol', version: '0.1.0', exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } } },
  };

  it('finds nothing wrong with a clean tarball', () => {
    expect(packProblems(clean)).toEqual([]);
  });

  it.each([
    ['a test file', { files: [...clean.files, 'dist/paths.test.js'] }, /test file: dist\/paths\.test\.js/],
    ['test-only code', { files: [...clean.files, 'dist/testing/test-app.js'] }, /test-only code/],
    ['a source file', { files: [...clean.files, 'src/index.ts'] }, /source file/],
    ['build state', { files: [...clean.files, 'dist/.tsbuildinfo'] }, /build state/],
    ['a build output whose source is gone', { files: [...clean.files, 'dist/removed-long-ago.js'] }, /left over/],
    ['an unbuilt dist', { files: ['package.json'] }, /not built/],
    ['an entry point outside the tarball', { files: clean.files.filter((f) => f !== 'dist/index.d.ts') }, /points at dist\/index\.d\.ts/],
    ['a placeholder version', { manifest: { ...clean.manifest, version: '0.0.0' } }, /no real version/],
    ['a private package', { manifest: { ...clean.manifest, private: true } }, /private/],
    ['a workspace-only dependency', { manifest: { ...clean.manifest, dependencies: { '@bff/shared': '*' } } }, /@bff\/shared/],
  ] as const)('names %s', (_what, change, problem) => {
    expect(packProblems({ ...clean, ...change }).join('\n')).toMatch(problem);
  });
});
