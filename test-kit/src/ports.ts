import { createServer } from 'node:net';

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
