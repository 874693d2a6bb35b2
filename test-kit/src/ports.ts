import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** The lowest port handed out to tests: above the ports people run things on by hand (3000, 4200, 8080…). */
const LOWEST = 10_000;

/**
 * Where the OS's ephemeral range starts (Linux's `ip_local_port_range`; 32768 when unknown,
 * which is Linux's default and below the range of macOS and Windows).
 */
function ephemeralStart(): number {
  try {
    const start = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(start) && start > LOWEST + 1000 ? start : 32_768;
  } catch {
    return 32_768;
  }
}

const HIGHEST = ephemeralStart() - 1;

/** Ports in that span that Chromium refuses to connect to (ERR_UNSAFE_PORT). */
const BROWSER_BLOCKED = new Set([10_080]);

/** Ports this process was handed (or found taken): never twice, e.g. to two servers of one topology. */
const handedOut = new Set<number>();

/** Whether `port` can be listened on now, on the dual-stack wildcard (or 127.0.0.1 without IPv6). */
function canListen(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise<boolean>((resolve) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EAFNOSUPPORT' && error.code !== 'EADDRNOTAVAIL') return resolve(false);
      // no IPv6 on this machine
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    server.listen(port, '::', () => server.close(() => resolve(true)));
  });
}

/**
 * A TCP port that was free a moment ago on both 127.0.0.1 and ::1, so that `localhost`
 * cannot lead to another program on ::1. It is taken at random below the OS's ephemeral
 * range: a port the OS picked (`listen(0)`) comes from that range, from which it also takes
 * the local port of every outgoing connection, and a test's own connections took one that
 * way between the pick and the child's listen (EADDRINUSE in a CI run). Below the range,
 * only another test process picking the same port at the same moment can take it; within
 * a process, a port is handed out once.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = LOWEST + Math.floor(Math.random() * (HIGHEST - LOWEST + 1));
    if (handedOut.has(port) || BROWSER_BLOCKED.has(port)) continue;
    handedOut.add(port);
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port between ${LOWEST} and ${HIGHEST} after 100 tries`);
}
