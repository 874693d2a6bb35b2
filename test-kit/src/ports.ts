import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A TCP port that was free a moment ago on both 127.0.0.1 and ::1 (the OS picks it on the
 * dual-stack wildcard), so that `localhost` cannot lead to another program on ::1.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', () => {
      // no IPv6 on this machine
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    server.listen(0, '::', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

const FIXED_PORTS_LOCK = join(tmpdir(), 'bff-tests-fixed-ports.lock');

/**
 * Holds the ports `npm start` uses (3000, 4000, 4100, 4200, 9464) for the caller until it
 * calls the release it gets: two test processes that both need them (the `npm start` test
 * and the topology of its defaults) take turns instead of failing on a port in use. The lock
 * is a directory (mkdir is atomic) naming its holder's pid; a holder that died leaves a lock
 * the next one takes over.
 */
export async function holdFixedPorts(timeoutMs = 600_000): Promise<() => Promise<void>> {
  const started = Date.now();
  for (;;) {
    try {
      await mkdir(FIXED_PORTS_LOCK);
      await writeFile(join(FIXED_PORTS_LOCK, 'pid'), String(process.pid));
      return () => rm(FIXED_PORTS_LOCK, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number(await readFile(join(FIXED_PORTS_LOCK, 'pid'), 'utf8').catch(() => ''));
    if (holder > 0 && !isAlive(holder)) await rm(FIXED_PORTS_LOCK, { recursive: true, force: true });
    if (Date.now() - started > timeoutMs) throw new Error(`the fixed ports stayed held by pid ${holder} for ${timeoutMs} ms (${FIXED_PORTS_LOCK})`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
