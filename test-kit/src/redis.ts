import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './ports.js';
import { requireProgram, startProcess, stopProcess } from './processes.js';

/** What {@link startRedis} can turn on. */
export interface RedisServerOptions {
  /** Append-only file with `appendfsync always`, so that a stop/start cycle proves data survives a restart. */
  readonly persistence?: boolean;
  /** TLS only (no plain port), with a fresh self-signed certificate for 127.0.0.1 (see {@link RedisServer.ca}). */
  readonly tls?: boolean;
  /** `requirepass`: clients must authenticate (the URL then carries `default:<password>@`). */
  readonly password?: string;
}

/** A real `redis-server` on a free loopback port, owned by the test that started it. */
export interface RedisServer {
  /** `redis://127.0.0.1:PORT`, or `rediss://` with TLS, with `default:<password>@` when a password is set. */
  readonly url: string;
  readonly port: number;
  /** With TLS: the PEM certificate clients must trust (self-signed, so it is its own CA). */
  readonly ca: string | undefined;
  /** Stops the server; its data directory is kept so that {@link start} can bring the data back. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory (after {@link stop}). */
  start(): Promise<void>;
  /** Runs `redis-cli -p PORT ...args` and resolves with its output (trailing newline removed). */
  cli(...args: string[]): Promise<string>;
  /** Suspends the server (SIGSTOP): connections stay open but nothing answers, like a stalled host. */
  freeze(): void;
  /** Resumes a frozen server (SIGCONT). */
  thaw(): void;
}

/** A Redis Cluster of masters only, on free loopback ports. */
export interface RedisCluster {
  /** `127.0.0.1:A,127.0.0.1:B,...`, the form of `REDIS_CLUSTER_NODES`. */
  readonly nodes: string;
  readonly ports: readonly number[];
  /** Runs `redis-cli -c -p <first node> ...args` (follows redirections). */
  cli(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

const READY_WITHIN_MS = 10_000;
const CLI_TIMEOUT_MS = 15_000;

// Data directories outlive stop() on purpose (restart tests); they go when the runner exits.
const dataDirs = new Set<string>();
let cleanupHooked = false;

function newDataDir(): string {
  if (!cleanupHooked) {
    cleanupHooked = true;
    process.once('exit', () => {
      for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
    });
  }
  const dir = mkdtempSync(join(tmpdir(), 'bff-redis-'));
  dataDirs.add(dir);
  return dir;
}

function programs(): { server: string; cli: string } {
  return {
    server: requireProgram('redis-server', 'redis-server'),
    cli: requireProgram('redis-cli', 'redis-server'),
  };
}

/** Runs a program to completion (through the test kit's process tracking) and resolves with its output. */
async function runCli(cli: string, args: readonly string[]): Promise<string> {
  const child = startProcess(cli, args);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  const timer = setTimeout(() => void stopProcess(child, 500), CLI_TIMEOUT_MS);
  try {
    const code = await exited;
    if (code !== 0) throw new Error(`${cli} ${args.join(' ')} exited with ${code}: ${stderr.trim() || stdout.trim()}`);
    return stdout.replace(/\n$/, '');
  } finally {
    clearTimeout(timer);
  }
}

/** Keeps the last few kilobytes a server printed, for the error when it does not start. */
function captureOutput(child: ChildProcess): () => string {
  let tail = '';
  const keep = (chunk: string) => {
    tail = (tail + chunk).slice(-4000);
  };
  // Reading the pipes also keeps a chatty server from blocking on a full pipe.
  child.stdout?.setEncoding('utf8').on('data', keep);
  child.stderr?.setEncoding('utf8').on('data', keep);
  return () => tail;
}

async function waitForPing(cli: string, reach: readonly string[], child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + READY_WITHIN_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`redis-server (${reach.join(' ')}) exited while starting:\n${output()}`);
    }
    // A server still loading its append-only file answers LOADING, not PONG.
    const reply = await runCli(cli, [...reach, 'ping']).catch(() => '');
    if (reply.trim() === 'PONG') return;
    await sleep(50);
  }
  await stopProcess(child, 1000);
  throw new Error(`redis-server (${reach.join(' ')}) did not answer PING within ${READY_WITHIN_MS} ms:\n${output()}`);
}

/**
 * Starts `redis-server` with `args` and waits until `redis-cli <reach> ping` answers.
 * @param reach the `redis-cli` arguments that reach this server (port, TLS, password).
 */
async function launch(server: string, cli: string, args: readonly string[], reach: readonly string[]): Promise<ChildProcess> {
  const child = startProcess(server, ['--bind', '127.0.0.1', '--save', '', '--loglevel', 'warning', ...args]);
  const output = captureOutput(child);
  await waitForPing(cli, reach, child, output);
  return child;
}

/** A self-signed certificate for 127.0.0.1 (its own CA), made with the system's `openssl`. */
async function selfSignedCertificate(dir: string): Promise<{ cert: string; key: string }> {
  const openssl = requireProgram('openssl', 'openssl');
  const cert = join(dir, 'tls.crt');
  const key = join(dir, 'tls.key');
  await runCli(openssl, [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
  ]);
  return { cert, key };
}

/**
 * Starts a `redis-server` on a free port with its own data directory under the OS temp dir.
 * @throws when `redis-server` is not installed (with the `apt-get` command) or does not start.
 */
export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  const { server, cli } = programs();
  const port = await freePort();
  const dir = newDataDir();
  const args = ['--dir', dir, ...(options.persistence ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'])];
  const reach = ['-p', String(port)];
  let ca: string | undefined;
  if (options.tls) {
    const { cert, key } = await selfSignedCertificate(dir);
    ca = readFileSync(cert, 'utf8');
    args.push(
      '--port',
      '0',
      '--tls-port',
      String(port),
      '--tls-cert-file',
      cert,
      '--tls-key-file',
      key,
      '--tls-ca-cert-file',
      cert,
      '--tls-auth-clients',
      'no',
    );
    reach.push('--tls', '--cacert', cert);
  } else {
    args.push('--port', String(port));
  }
  if (options.password !== undefined) {
    args.push('--requirepass', options.password);
    reach.push('--user', 'default', '--pass', options.password, '--no-auth-warning');
  }
  let child: ChildProcess | undefined = await launch(server, cli, args, reach);
  const credentials = options.password === undefined ? '' : `default:${encodeURIComponent(options.password)}@`;
  return {
    url: `${options.tls ? 'rediss' : 'redis'}://${credentials}127.0.0.1:${port}`,
    port,
    ca,
    async stop() {
      if (!child) return;
      const stopping = child;
      child = undefined;
      // A frozen server would not act on SIGTERM until resumed.
      try {
        if (stopping.pid !== undefined) process.kill(stopping.pid, 'SIGCONT');
      } catch {
        // already gone
      }
      await stopProcess(stopping);
    },
    async start() {
      if (child) throw new Error(`redis-server on port ${port} is already running`);
      child = await launch(server, cli, args, reach);
    },
    cli: (...cliArgs: string[]) => runCli(cli, [...reach, ...cliArgs]),
    freeze: () => signal('SIGSTOP'),
    thaw: () => signal('SIGCONT'),
  };

  function signal(name: NodeJS.Signals): void {
    if (child?.pid === undefined) throw new Error(`redis-server on port ${port} is not running`);
    process.kill(child.pid, name);
  }
}

/** Distinct free ports: the OS may hand the same one out twice in a row. */
async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/**
 * Starts `nodes` cluster-enabled servers, joins them into one cluster with
 * `redis-cli --cluster create` (masters only) and waits until every node reports
 * `cluster_state:ok` and knows all the others.
 */
export async function startRedisCluster(nodes = 3): Promise<RedisCluster> {
  if (!Number.isInteger(nodes) || nodes < 3) throw new RangeError('A Redis Cluster needs at least 3 masters.');
  const { server, cli } = programs();
  const dir = newDataDir();
  // The cluster bus gets its own free port (`cluster-port`, Redis 7) rather than PORT+10000, which may be taken.
  const allPorts = await distinctFreePorts(nodes * 2);
  const ports = allPorts.slice(0, nodes);
  const busPorts = allPorts.slice(nodes);
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map((child) => stopProcess(child)));
  };
  try {
    const launched = await Promise.allSettled(
      ports.map((port, i) =>
        launch(
          server,
          cli,
          [
            '--port',
            String(port),
            '--dir',
            dir,
            '--appendonly',
            'no',
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            join(dir, `nodes-${port}.conf`),
            '--cluster-port',
            String(busPorts[i]),
            '--cluster-node-timeout',
            '2000',
          ],
          ['-p', String(port)],
        ),
      ),
    );
    for (const result of launched) if (result.status === 'fulfilled') children.push(result.value);
    const failed = launched.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    const addresses = ports.map((port) => `127.0.0.1:${port}`);
    await runCli(cli, ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes']);
    const deadline = Date.now() + READY_WITHIN_MS;
    for (const port of ports) {
      for (;;) {
        const info = await runCli(cli, ['-p', String(port), 'cluster', 'info']);
        if (info.includes('cluster_state:ok') && info.includes(`cluster_known_nodes:${nodes}`)) break;
        if (Date.now() > deadline) throw new Error(`Redis Cluster node ${port} not ready within ${READY_WITHIN_MS} ms:\n${info}`);
        await sleep(100);
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const [first] = ports;
  return {
    nodes: ports.map((port) => `127.0.0.1:${port}`).join(','),
    ports,
    cli: (...args: string[]) => runCli(cli, ['-c', '-p', String(first), ...args]),
    stop,
  };
}
