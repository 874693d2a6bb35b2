import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { requireProgram, startProcess, stopProcess } from './processes.js';

const BASE_DN = 'dc=corp,dc=example';
const ROOT_DN = `cn=admin,${BASE_DN}`;
const BIND_DN = `cn=bff,ou=services,${BASE_DN}`;
const READY_WITHIN_MS = 10_000;
/** Bounds every ldap-utils call, so a wedged server fails the test instead of hanging it. */
const TOOL_TIMEOUT_MS = 10_000;

/** A real OpenLDAP server on a free loopback port, seeded with the test directory. */
export interface Slapd {
  /** `ldap://127.0.0.1:PORT` */
  readonly url: string;
  readonly baseDn: 'dc=corp,dc=example';
  /** The service account the BFF binds as; it may read everything and write nothing. */
  readonly bindDn: string;
  readonly bindPassword: string;
  /** The rootdn, which bypasses the ACLs; used by {@link Slapd.ldapmodify}. */
  readonly rootDn: string;
  readonly rootPassword: string;
  /** Stops the server; the data stays, so {@link Slapd.start} brings the same directory back. */
  stop(): Promise<void>;
  /** Starts the server again on the same port and data directory (no-op while running). */
  start(): Promise<void>;
  /** Applies LDIF change records as the rootdn (through the server, so overlays such as memberof apply). */
  ldapmodify(ldif: string): Promise<void>;
}

/**
 * The default directory. Groups nest: `cn=analysts` holds the group `cn=quants`,
 * which holds alice; the memberof overlay does not flatten that, so alice's own
 * `memberOf` lists only quants and staff.
 */
const DEFAULT_SEED = `
dn: ${BASE_DN}
objectClass: dcObject
objectClass: organization
dc: corp
o: Corp

dn: ou=people,${BASE_DN}
objectClass: organizationalUnit
ou: people

dn: ou=groups,${BASE_DN}
objectClass: organizationalUnit
ou: groups

dn: ou=services,${BASE_DN}
objectClass: organizationalUnit
ou: services

dn: ${BIND_DN}
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: bff
userPassword: {{BIND_PASSWORD}}

dn: uid=alice,ou=people,${BASE_DN}
objectClass: inetOrgPerson
uid: alice
cn: Alice Martin
sn: Martin
userPassword: alice-password

dn: uid=bob,ou=people,${BASE_DN}
objectClass: inetOrgPerson
uid: bob
cn: Bob Stone
sn: Stone
userPassword: bob-password

dn: uid=carol,ou=people,${BASE_DN}
objectClass: inetOrgPerson
uid: carol
cn: Carol White
sn: White
userPassword: carol-password

dn: cn=quants,ou=groups,${BASE_DN}
objectClass: groupOfNames
cn: quants
member: uid=alice,ou=people,${BASE_DN}

dn: cn=analysts,ou=groups,${BASE_DN}
objectClass: groupOfNames
cn: analysts
member: cn=quants,ou=groups,${BASE_DN}

dn: cn=staff,ou=groups,${BASE_DN}
objectClass: groupOfNames
cn: staff
member: uid=alice,ou=people,${BASE_DN}
member: uid=bob,ou=people,${BASE_DN}
`;

function config(dir: string, rootPassword: string): string {
  return `include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
pidfile ${join(dir, 'slapd.pid')}
argsfile ${join(dir, 'slapd.args')}
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload memberof
database mdb
maxsize 16777216
suffix "${BASE_DN}"
rootdn "${ROOT_DN}"
rootpw ${rootPassword}
directory ${join(dir, 'data')}
overlay memberof
access to attrs=userPassword
  by anonymous auth
  by * none
access to *
  by dn.exact="${BIND_DN}" read
  by * none
`;
}

interface ToolResult {
  readonly code: number | null;
  readonly stderr: string;
}

/** Runs an ldap-utils program through {@link startProcess}, so a hung one is killed with the run. */
async function runTool(path: string, args: readonly string[], input?: string): Promise<ToolResult> {
  const child = startProcess(path, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  // A tool that fails early stops reading its input; its exit code and stderr say why, not EPIPE.
  child.stdin?.on('error', () => undefined);
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  child.stdin?.end(input);
  const timer = setTimeout(() => void stopProcess(child, 500), TOOL_TIMEOUT_MS);
  try {
    return { code: await exited, stderr };
  } finally {
    clearTimeout(timer);
  }
}

const dataDirs = new Set<string>();
let cleanupHooked = false;
function removeDataDirsOnExit(dir: string): void {
  dataDirs.add(dir);
  if (cleanupHooked) return;
  cleanupHooked = true;
  process.once('exit', () => {
    for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
  });
}

/**
 * Starts a real `slapd` (OpenLDAP) as a plain process on a free port of 127.0.0.1,
 * with the memberof overlay and the default seed (plus `options.seed`, LDIF entries
 * added after it, as the rootdn). Resolves once the server answers a bind.
 * Throws with the install command when slapd or ldap-utils is missing.
 *
 * @example
 * const ldap = await startSlapd();
 * afterAll(() => ldap.stop());
 */
export async function startSlapd(options: { seed?: string } = {}): Promise<Slapd> {
  const slapdPath = requireProgram('slapd', 'slapd ldap-utils', ['/usr/sbin/slapd']);
  const ldapadd = requireProgram('ldapadd', 'slapd ldap-utils');
  const ldapmodifyPath = requireProgram('ldapmodify', 'slapd ldap-utils');
  const ldapwhoami = requireProgram('ldapwhoami', 'slapd ldap-utils');

  const dir = mkdtempSync(join(tmpdir(), 'bff-slapd-'));
  removeDataDirsOnExit(dir);
  mkdirSync(join(dir, 'data'));
  const rootPassword = `root-${randomBytes(12).toString('base64url')}`;
  const bindPassword = `bff-${randomBytes(12).toString('base64url')}`;
  const configFile = join(dir, 'slapd.conf');
  writeFileSync(configFile, config(dir, rootPassword));

  const port = await freePort();
  const url = `ldap://127.0.0.1:${port}`;
  const asRoot = ['-x', '-H', url, '-D', ROOT_DN, '-w', rootPassword];
  let child: ChildProcess | undefined;
  let output = '';

  const start = async (): Promise<void> => {
    if (child && child.exitCode === null && child.signalCode === null) return;
    output = '';
    // `-d 0` keeps slapd in the foreground: daemonized, it would escape startProcess and outlive the run.
    const started = startProcess(slapdPath, ['-f', configFile, '-h', `${url}/`, '-d', '0']);
    child = started;
    let spawnError: Error | undefined;
    started.once('error', (error) => (spawnError = error));
    const keep = (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-4000));
    started.stdout?.on('data', keep);
    started.stderr?.on('data', keep);
    const deadline = Date.now() + READY_WITHIN_MS;
    for (;;) {
      if (spawnError) throw new Error(`slapd could not be started: ${spawnError.message}`);
      if (started.exitCode !== null || started.signalCode !== null) {
        throw new Error(`slapd exited (${started.exitCode ?? started.signalCode}) while starting:\n${output}`);
      }
      const probe = await runTool(ldapwhoami, [...asRoot, '-o', 'nettimeout=1']);
      if (probe.code === 0) return;
      if (Date.now() > deadline) {
        await stopProcess(started);
        throw new Error(`slapd did not answer on ${url} within ${READY_WITHIN_MS} ms:\n${output}\n${probe.stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  const stop = async (): Promise<void> => {
    if (child) await stopProcess(child);
  };

  const apply = async (program: string, ldif: string): Promise<void> => {
    const result = await runTool(program, [...asRoot, '-o', 'nettimeout=5'], ldif);
    if (result.code !== 0) throw new Error(`${program} failed (${result.code}): ${result.stderr.trim()}`);
  };

  await start();
  try {
    await apply(ldapadd, DEFAULT_SEED.replace('{{BIND_PASSWORD}}', bindPassword).trimStart());
    if (options.seed) await apply(ldapadd, options.seed.trim() + '\n');
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    url,
    baseDn: BASE_DN,
    bindDn: BIND_DN,
    bindPassword,
    rootDn: ROOT_DN,
    rootPassword,
    stop,
    start,
    ldapmodify: (ldif) => apply(ldapmodifyPath, ldif.trim() + '\n'),
  };
}
