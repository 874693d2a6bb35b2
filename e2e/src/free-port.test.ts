import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort } from '@bff/test-kit';

/**
 * The test kit's free ports: below the OS's ephemeral range, from which the OS also takes the
 * local port of every outgoing connection (a topology's back end once failed with EADDRINUSE
 * on a port picked there, taken by a connection before it listened).
 */
describe('freePort', () => {
  it('hands out distinct ports below the ephemeral range that can be listened on at localhost', async () => {
    const ephemeralStart = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    const ports = await Promise.all(Array.from({ length: 30 }, () => freePort()));
    expect(new Set(ports).size).toBe(ports.length);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(10_000);
      expect(port).toBeLessThan(ephemeralStart);
    }
    for (const port of ports.slice(0, 5)) {
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, 'localhost', resolve);
      });
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
