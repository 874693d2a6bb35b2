import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '@oidc-bff/protocol';
import { auditEventSchema } from '@oidc-bff/protocol/schemas';
import { Browser, call, login, startSlapd, startStack, type Slapd, type Stack } from '@bff/test-kit';
import * as server from '../testing/test-app.js';
import type { Bff as Api } from '../bff.js';

/**
 * `roles.changed` (S31) from a real directory: alice's roles come from a real slapd (the dev
 * IdP's tokens carry no groups); she is taken out of the group that makes her an analyst
 * between two sign-ins, and the audit trail says which role her new session lost, naming the
 * previous session. Later calls of either session add nothing.
 */
const ANALYSTS_DN = 'cn=analysts,ou=groups,dc=corp,dc=example';
let ldap: Slapd;
let stack: Stack<Api>;
let dir: string;
let auditFile: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bff-roles-'));
  auditFile = join(dir, 'audit.jsonl');
  ldap = await startSlapd();
  stack = await startStack(server, {
    devIdp: { groups: 'none' },
    env: {
      AUDIT_LOG: auditFile,
      LDAP_URL: ldap.url,
      LDAP_BIND_DN: ldap.bindDn,
      LDAP_BIND_PASSWORD: ldap.bindPassword,
      LDAP_USER_BASE: `ou=people,${ldap.baseDn}`,
      LDAP_GROUP_BASE: `ou=groups,${ldap.baseDn}`,
      // Every lookup goes to the directory: the change is seen at once.
      LDAP_CACHE_TTL: '0',
      ROLE_MAP: JSON.stringify({ analyst: [ANALYSTS_DN] }),
    },
  });
}, 60_000);
afterAll(async () => {
  await stack?.close();
  await ldap?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function publicIdOf(browser: Browser): Promise<string> {
  const cookie = (await browser.cookie(`${stack.apiUrl}/`, 'bff_session')) ?? '';
  return stack.api.sessions.publicIdOf(stack.api.sessions.idOf(cookie) ?? '');
}

const events = (): AuditEvent[] =>
  readFileSync(auditFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => auditEventSchema.parse(JSON.parse(line)));

describe('roles that changed between two sessions of a user (real slapd)', () => {
  it('records the role the new session lost, once, naming the previous session', async () => {
    const first = new Browser();
    await login(stack, first, 'alice');
    expect((await call(stack, first, 'me')).body.result.data.user.roles).toEqual(['analyst']);
    expect((await call(stack, first, 'me')).status).toBe(200);
    const firstId = await publicIdOf(first);

    // Carol replaces her in quants (inside analysts; a group keeps at least one member): alice is no longer an analyst.
    await ldap.ldapmodify(`dn: cn=quants,ou=groups,${ldap.baseDn}\nchangetype: modify\nreplace: member\nmember: uid=carol,ou=people,${ldap.baseDn}\n`);

    const second = new Browser();
    await login(stack, second, 'alice');
    expect((await call(stack, second, 'me')).body.result.data.user.roles).toEqual([]);
    expect((await call(stack, second, 'me')).status).toBe(200);
    expect((await call(stack, first, 'me')).status).toBe(200);
    const secondId = await publicIdOf(second);

    // Bob's first session: nothing to compare with.
    const bob = new Browser();
    await login(stack, bob, 'bob');
    expect((await call(stack, bob, 'me')).status).toBe(200);

    expect(events().filter((event) => event.type === 'roles.changed')).toEqual([
      expect.objectContaining({ sub: 'alice', sessionId: secondId, previousSessionId: firstId, rolesAdded: [], rolesRemoved: ['analyst'], client: null }),
    ]);
  }, 60_000);
});
