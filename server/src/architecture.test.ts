import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** The boundaries the README's architecture promises, checked on the real tree. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PACKAGES = ['shared', 'dev-idp', 'test-kit', 'server', 'client', 'e2e', 'bench'];

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

describe('architecture', () => {
  it("no package reaches into another package's src/", () => {
    const offenders: string[] = [];
    for (const pkg of PACKAGES) {
      for (const file of files(join(ROOT, pkg), (p) => /\.(ts|mjs)$/.test(p))) {
        for (const [, spec] of readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)) {
          if (!spec?.startsWith('.')) continue;
          const target = relative(ROOT, join(file, '..', spec));
          const [targetPackage] = target.split('/');
          if (targetPackage !== pkg && PACKAGES.includes(targetPackage ?? '')) offenders.push(`${relative(ROOT, file)} → ${spec}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the production server depends on no development IdP and ships no test or development code', () => {
    const production = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable', '-w', 'server'], { cwd: ROOT, encoding: 'utf8' });
    expect(production).not.toMatch(/oidc-provider|@bff\/dev-idp|@bff\/test-kit|vitest/);
    const built = files(join(ROOT, 'server/dist'), (p) => p.endsWith('.js'));
    expect(built.length).toBeGreaterThan(20);
    expect(built.filter((p) => /\.test\.js$|test-support|dev-idp/.test(p))).toEqual([]);
    for (const file of built) expect(readFileSync(file, 'utf8')).not.toMatch(/from '(@bff\/dev-idp|@bff\/test-kit|oidc-provider|vitest)'/);
  });
});
