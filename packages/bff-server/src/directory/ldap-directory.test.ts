import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlapd, type Slapd } from '@bff/test-kit';
import { normalizeDn } from '../authz/dn.js';
import { DirectoryUnavailableError, LdapDirectory, type LdapDirectoryOptions } from './ldap-directory.js';

const BASE = 'dc=corp,dc=example';
const group = (cn: string) => `cn=${cn},ou=groups,${BASE}`;
const person = (uid: string) => `uid=${uid},ou=people,${BASE}`;

/** Users and groups beyond the default seed, each for one test. */
const SEED = `
dn: ${person('josé')}
objectClass: inetOrgPerson
uid: josé
cn: José Núñez
sn: Núñez

dn: ${group('auditors')}
objectClass: groupOfUniqueNames
cn: auditors
uniqueMember: ${person('josé')}

dn: ${person('dave')}
objectClass: inetOrgPerson
uid: dave
cn: Dave Loop
sn: Loop

dn: ${group('cycle-a')}
objectClass: groupOfNames
cn: cycle-a
member: ${person('dave')}

dn: ${group('cycle-b')}
objectClass: groupOfNames
cn: cycle-b
member: ${group('cycle-a')}

dn: ${person('erin')}
objectClass: inetOrgPerson
uid: erin
cn: Erin Late
sn: Late

dn: ${person('twin1')}
objectClass: inetOrgPerson
uid: twin1
cn: Twin One
sn: Twin

dn: ${person('twin2')}
objectClass: inetOrgPerson
uid: twin2
cn: Twin Two
sn: Twin

dn: ${group('twins')}
objectClass: groupOfNames
cn: twins
member: ${person('twin1')}

dn: ${person('\ufffd')}
objectClass: inetOrgPerson
uid: \ufffd
cn: Replacement Character
sn: Character

dn: ${group('replaced')}
objectClass: groupOfNames
cn: replaced
member: ${person('\ufffd')}
`;

/** Closes the cycle: cycle-a contains cycle-b, which contains cycle-a. */
const CLOSE_CYCLE = `
dn: ${group('cycle-a')}
changetype: modify
add: member
member: ${group('cycle-b')}
`;

function normal(groups: readonly string[]): string[] {
  return groups.map(normalizeDn).sort();
}

function captureLogger() {
  const lines: string[] = [];
  return { lines, warn: (event: string, fields: Record<string, unknown>) => void lines.push(JSON.stringify({ event, ...fields })) };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('LdapDirectory against a real slapd', () => {
  let ldap: Slapd;
  const options = (overrides: Partial<LdapDirectoryOptions> = {}): LdapDirectoryOptions => ({
    url: ldap.url,
    bindDn: ldap.bindDn,
    bindPassword: ldap.bindPassword,
    userBase: `ou=people,${BASE}`,
    groupBase: `ou=groups,${BASE}`,
    startTls: false,
    timeoutMs: 2000,
    cacheTtlSeconds: 60,
    ...overrides,
  });

  beforeAll(async () => {
    ldap = await startSlapd({ seed: SEED });
    await ldap.ldapmodify(CLOSE_CYCLE);
  });
  afterAll(async () => {
    await ldap?.stop();
  });

  it('gives alice analysts through the nested quants group, and her direct groups', async () => {
    const groups = await new LdapDirectory(options()).groupsFor('alice');
    expect(normal(groups)).toEqual(normal([group('analysts'), group('quants'), group('staff')]));
  });

  it('gives bob staff only', async () => {
    expect(normal(await new LdapDirectory(options()).groupsFor('bob'))).toEqual([group('staff')]);
  });

  it('gives carol, and users who do not exist, nothing', async () => {
    const directory = new LdapDirectory(options());
    expect(await directory.groupsFor('carol')).toEqual([]);
    expect(await directory.groupsFor('nobody')).toEqual([]);
    expect(await directory.groupsFor('')).toEqual([]);
  });

  it('finds uniqueMember groups and non-ASCII usernames and DNs', async () => {
    expect(normal(await new LdapDirectory(options()).groupsFor('josé'))).toEqual([group('auditors')]);
  });

  it('finds no user for a username with a lone surrogate, not the user named U+FFFD it would reach the directory as', async () => {
    const directory = new LdapDirectory(options());
    for (const username of ['\ud800', '\udfff', 'a\ud83d']) expect(await directory.groupsFor(username)).toEqual([]);
    expect(normal(await directory.groupsFor('\ufffd'))).toEqual([group('replaced')]);
  });

  it('follows a membership cycle once and stops', async () => {
    expect(normal(await new LdapDirectory(options()).groupsFor('dave'))).toEqual(normal([group('cycle-a'), group('cycle-b')]));
  });

  it('gives no groups to filter injection: *)(uid=* matches nobody and never alice', async () => {
    const logger = captureLogger();
    const plain = new LdapDirectory(options({ logger }));
    const guarded = new LdapDirectory(options({ logger, userFilter: '(&(objectClass=inetOrgPerson)(uid={username}))' }));
    for (const directory of [plain, guarded]) {
      expect(await directory.groupsFor('*)(uid=*')).toEqual([]);
      // Unescaped, this would read (&(objectClass=inetOrgPerson)(uid=*)(uid=alice)) and find alice alone.
      expect(await directory.groupsFor('*)(uid=alice')).toEqual([]);
      expect(await directory.groupsFor('*')).toEqual([]);
      expect(await directory.groupsFor('ali*')).toEqual([]);
    }
    // Nothing matched at all (not "two matched, so none was chosen").
    expect(logger.lines).toEqual([]);
  });

  it('gives no groups when the filter finds more than one entry, and says so', async () => {
    const logger = captureLogger();
    const directory = new LdapDirectory(options({ logger, userFilter: '(sn={username})' }));
    expect(await directory.groupsFor('Twin')).toEqual([]);
    expect(logger.lines.map((line) => JSON.parse(line) as unknown)).toEqual([{ event: 'directory.user_ambiguous', entries: 2 }]);
  });

  it('sees a new membership only once the cached answer is older than the TTL', async () => {
    const directory = new LdapDirectory(options({ cacheTtlSeconds: 1 }));
    expect(await directory.groupsFor('erin')).toEqual([]);
    await ldap.ldapmodify(`dn: ${group('staff')}\nchangetype: modify\nadd: member\nmember: ${person('erin')}\n`);
    expect(await directory.groupsFor('erin')).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(normal(await directory.groupsFor('erin'))).toEqual([group('staff')]);
  });

  it('refuses a wrong bind password as unavailable, and logs neither password', async () => {
    const wrong = 'Wrong-Secret-7f3a';
    const logger = captureLogger();
    const directory = new LdapDirectory(options({ bindPassword: wrong, logger }));
    const error = await rejection(directory.groupsFor('alice'));
    expect(error).toBeInstanceOf(DirectoryUnavailableError);
    expect((error as DirectoryUnavailableError).code).toBe('DIRECTORY_UNAVAILABLE');
    const check = await directory.check();
    expect(check).toEqual({ ok: false, detail: 'connect and bind: InvalidCredentialsError (LDAP result 49)' });
    expect(logger.lines.map((line) => JSON.parse(line) as unknown)).toEqual([
      { event: 'directory.unavailable', error: 'InvalidCredentialsError (LDAP result 49)' },
    ]);
    const said = [...logger.lines, JSON.stringify(check), String(error), String((error as Error).cause)].join('\n');
    expect(said).not.toContain(wrong);
    expect(said).not.toContain(ldap.bindPassword);
  });

  it('times out against a server that accepts connections and never answers', async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const logger = captureLogger();
    try {
      const { port } = silent.address() as AddressInfo;
      const directory = new LdapDirectory(options({ url: `ldap://127.0.0.1:${port}`, timeoutMs: 300, logger }));
      const started = Date.now();
      expect(await rejection(directory.groupsFor('alice'))).toBeInstanceOf(DirectoryUnavailableError);
      // Bounded by the 300 ms timeout, with room for a loaded machine: without it the call never ends.
      expect(Date.now() - started).toBeLessThan(2500);
      expect(logger.lines.map((line) => JSON.parse(line) as unknown)).toEqual([{ event: 'directory.unavailable', error: 'Error (TIMEOUT)' }]);
      expect((await directory.check()).ok).toBe(false);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('fails rather than continue in clear text when StartTLS is refused', async () => {
    const directory = new LdapDirectory(options({ startTls: true }));
    expect(await rejection(directory.groupsFor('alice'))).toBeInstanceOf(DirectoryUnavailableError);
  });

  it('serves cached groups within the TTL while slapd is down, fails after it, and recovers when slapd is back', async () => {
    let now = 1_000_000;
    const logger = captureLogger();
    const directory = new LdapDirectory(options({ cacheTtlSeconds: 60, now: () => now, logger }));
    const alice = normal(await directory.groupsFor('alice'));
    expect(alice).toContain(group('analysts'));
    expect(await directory.check()).toEqual({ ok: true });

    await ldap.stop();
    try {
      now += 59_000;
      expect(normal(await directory.groupsFor('alice'))).toEqual(alice);

      const uncached = await rejection(directory.groupsFor('bob'));
      expect(uncached).toBeInstanceOf(DirectoryUnavailableError);

      now += 2_000;
      const expired = await rejection(directory.groupsFor('alice'));
      expect(expired).toBeInstanceOf(DirectoryUnavailableError);
      expect((expired as DirectoryUnavailableError).code).toBe('DIRECTORY_UNAVAILABLE');
      // Still unavailable on the next call: a failure is not cached as "no groups".
      expect(await rejection(directory.groupsFor('alice'))).toBeInstanceOf(DirectoryUnavailableError);

      const down = await directory.check();
      expect(down).toEqual({ ok: false, detail: 'connect and bind: Error (ECONNREFUSED)' });
    } finally {
      await ldap.start();
    }

    expect(normal(await directory.groupsFor('alice'))).toEqual(alice);
    expect(normal(await directory.groupsFor('bob'))).toEqual([group('staff')]);
    expect(await directory.check()).toEqual({ ok: true });
    expect(logger.lines.length).toBeGreaterThan(0);
    for (const line of logger.lines) {
      expect(JSON.parse(line)).toMatchObject({ event: 'directory.unavailable', error: 'Error (ECONNREFUSED)' });
      expect(line).not.toContain(ldap.bindPassword);
    }
  });
});
