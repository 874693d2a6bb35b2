import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, call, login, startSlapd, startStack, type Slapd, type Stack } from '@bff/test-kit';
import * as server from '../testing/test-app.js';
import type { Bff as Api } from '../bff.js';

const ANALYSTS_DN = 'cn=analysts,ou=groups,dc=corp,dc=example';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function signedIn(stack: Stack<Api>, user: string): Promise<Browser> {
  const browser = new Browser();
  await login(stack, browser, user);
  return browser;
}

describe('roles from group names in the token (DEV_IDP_GROUPS=names, the default)', () => {
  let stack: Stack<Api>;
  beforeAll(async () => {
    stack = await startStack(server);
  });
  afterAll(() => stack.close());

  it('gives alice (group analysts) the analyst role, and bob (no mapped group) FORBIDDEN on analytics', async () => {
    const alice = await signedIn(stack, 'alice');
    expect((await call(stack, alice, 'me')).body.result.data.user).toMatchObject({ groups: ['analysts'], roles: ['analyst'] });
    expect((await call(stack, alice, 'analytics')).status).toBe(200);
    const bob = await signedIn(stack, 'bob');
    expect((await call(stack, bob, 'me')).body.result.data.user).toMatchObject({ groups: [], roles: [] });
    const refused = await call(stack, bob, 'analytics');
    expect(refused.status).toBe(403);
    expect(refused.body.error.data.reason).toBe('forbidden');
  });
});

describe('roles from LDAP DNs in a memberOf claim (DEV_IDP_GROUPS=dns)', () => {
  let stack: Stack<Api>;
  beforeAll(async () => {
    stack = await startStack(server, {
      devIdp: { groups: 'dns' },
      env: { GROUPS_CLAIM: 'memberOf', ROLE_MAP: '{"analyst":["CN=Analysts, OU=Groups, DC=corp, DC=example"]}' },
    });
  });
  afterAll(() => stack.close());

  it('matches the DN in another case and spacing than ROLE_MAP; bob gets FORBIDDEN', async () => {
    const alice = await signedIn(stack, 'alice');
    expect((await call(stack, alice, 'me')).body.result.data.user).toMatchObject({ groups: [ANALYSTS_DN], roles: ['analyst'] });
    expect((await call(stack, alice, 'analytics')).status).toBe(200);
    const bob = await signedIn(stack, 'bob');
    expect((await call(stack, bob, 'analytics')).body.error.data).toMatchObject({ httpStatus: 403, reason: 'forbidden' });
  });
});

describe('groups as one comma-joined string in the access token (DEV_IDP_GROUPS=joined)', () => {
  let split: Stack<Api>;
  let fromIdToken: Stack<Api>;
  let unsplit: Stack<Api>;
  beforeAll(async () => {
    [split, fromIdToken, unsplit] = await Promise.all([
      startStack(server, { devIdp: { groups: 'joined' }, env: { GROUPS_SEPARATOR: ',' } }),
      startStack(server, { devIdp: { groups: 'joined' }, env: { GROUPS_SOURCE: 'id_token' } }),
      startStack(server, { devIdp: { groups: 'joined' } }),
    ]);
  });
  afterAll(() => Promise.all([split?.close(), fromIdToken?.close(), unsplit?.close()]));

  it('splits "analysts,staff" at GROUPS_SEPARATOR: alice gets the analyst role and analytics, bob (staff) FORBIDDEN', async () => {
    const alice = await signedIn(split, 'alice');
    expect((await call(split, alice, 'me')).body.result.data.user).toMatchObject({ groups: ['analysts', 'staff'], roles: ['analyst'] });
    expect((await call(split, alice, 'analytics')).status).toBe(200);
    const bob = await signedIn(split, 'bob');
    expect((await call(split, bob, 'me')).body.result.data.user).toMatchObject({ groups: ['staff'], roles: [] });
    expect((await call(split, bob, 'analytics')).body.error.data).toMatchObject({ httpStatus: 403, reason: 'forbidden' });
  });

  it('reads the array in the ID token with GROUPS_SOURCE=id_token', async () => {
    const alice = await signedIn(fromIdToken, 'alice');
    expect((await call(fromIdToken, alice, 'me')).body.result.data.user).toMatchObject({ groups: ['analysts', 'staff'], roles: ['analyst'] });
    expect((await call(fromIdToken, alice, 'analytics')).status).toBe(200);
  });

  it('without a separator the joined string stays one group, which grants nothing (what broke against that provider)', async () => {
    const alice = await signedIn(unsplit, 'alice');
    expect((await call(unsplit, alice, 'me')).body.result.data.user).toMatchObject({ groups: ['analysts,staff'], roles: [] });
    expect((await call(unsplit, alice, 'analytics')).status).toBe(403);
  });
});

describe('roles from the LDAP directory when the token carries no groups (DEV_IDP_GROUPS=none, real slapd)', () => {
  const CACHE_TTL_SECONDS = 3;
  let ldap: Slapd;
  let stack: Stack<Api>;
  beforeAll(async () => {
    ldap = await startSlapd();
    stack = await startStack(server, {
      devIdp: { groups: 'none' },
      env: {
        LDAP_URL: ldap.url,
        LDAP_BIND_DN: ldap.bindDn,
        LDAP_BIND_PASSWORD: ldap.bindPassword,
        LDAP_USER_BASE: `ou=people,${ldap.baseDn}`,
        LDAP_GROUP_BASE: `ou=groups,${ldap.baseDn}`,
        LDAP_CACHE_TTL: String(CACHE_TTL_SECONDS),
        LDAP_TIMEOUT_MS: '1000',
        ROLE_MAP: JSON.stringify({ analyst: [ANALYSTS_DN] }),
      },
    });
  });
  afterAll(async () => {
    await stack?.close();
    await ldap?.stop();
  });

  it('grants alice analyst through the nested group, not bob; keeps cached roles through an outage, then answers directory_unavailable (never FORBIDDEN) while chat keeps working', async () => {
    const bob = await signedIn(stack, 'bob');
    const alice = await signedIn(stack, 'alice');

    const bobs = await call(stack, bob, 'me');
    expect(bobs.body.result.data.user).toMatchObject({ groups: ['cn=staff,ou=groups,dc=corp,dc=example'], roles: [] });
    expect((await call(stack, bob, 'analytics')).body.error.data).toMatchObject({ httpStatus: 403, reason: 'forbidden' });

    const lookedUpAt = Date.now();
    const me = (await call(stack, alice, 'me')).body.result.data.user;
    expect(me.roles).toEqual(['analyst']);
    // alice is in quants, which is in analysts: only the nested lookup finds analysts.
    expect(me.groups.map((g: string) => g.toLowerCase())).toEqual(
      expect.arrayContaining(['cn=quants,ou=groups,dc=corp,dc=example', ANALYSTS_DN, 'cn=staff,ou=groups,dc=corp,dc=example']),
    );
    expect((await call(stack, alice, 'analytics')).status).toBe(200);

    await ldap.stop();
    expect(Date.now() - lookedUpAt).toBeLessThan(CACHE_TTL_SECONDS * 1000 - 500);
    expect((await call(stack, alice, 'analytics')).status).toBe(200);

    await sleep(Math.max(0, lookedUpAt + CACHE_TTL_SECONDS * 1000 + 100 - Date.now()));
    for (const [browser, path] of [
      [alice, 'analytics'],
      [alice, 'me'],
      [bob, 'analytics'],
    ] as const) {
      const down = await call(stack, browser, path);
      expect(down.status).toBe(503);
      expect(down.body.error.data.reason).toBe('directory_unavailable');
    }
    expect((await call(stack, alice, 'chat.history')).status).toBe(200);
    expect((await call(stack, bob, 'chat.send', { mutation: true, input: { text: 'still here' } })).status).toBe(200);

    await ldap.start();
    expect((await call(stack, alice, 'analytics')).status).toBe(200);
    expect((await call(stack, bob, 'analytics')).status).toBe(403);

    expect(stack.logs.some((line) => line.includes('directory.unavailable'))).toBe(true);
    expect(stack.logs.join('\n')).not.toContain(ldap.bindPassword);
  });
});
