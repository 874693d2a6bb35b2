import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrustProxy } from '../config/trust-proxy.js';
import { clientAddress, requestOrigin } from './request-origin.js';

/**
 * The client address of a tRPC call (which does not go through Express) must be what
 * Express's `req.ip` says for the same request on the plain endpoints, for every
 * TRUST_PROXY setting: one answer for the audit trail, whichever route a request took.
 */
const SETTINGS: readonly TrustProxy[] = [false, true, 0, 1, 2, 'loopback', '10.0.0.0/8,loopback', '192.0.2.1'];
const FORWARDED: readonly (string | undefined)[] = [
  undefined,
  '203.0.113.7',
  '198.51.100.1, 203.0.113.7',
  '10.1.2.3, 203.0.113.7, 10.0.0.5',
  ' 203.0.113.7 ,, 10.0.0.5 ',
  'not-an-address',
];

let server: Server;
let url: string;
beforeAll(async () => {
  const apps = SETTINGS.map((setting) => {
    const address = clientAddress(setting);
    const app = express().set('trust proxy', setting);
    app.get('/', (req, res) => {
      res.setHeader('x-request-id', 'req-1');
      res.json({ express: req.ip ?? null, ours: address(req) ?? null, origin: requestOrigin(req, res, address(req)) });
    });
    return app;
  });
  server = createServer((req, res) => {
    const index = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('setting'));
    req.url = '/';
    apps[index]?.(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('clientAddress', () => {
  it.each(SETTINGS.map((setting, index) => [String(setting), index] as const))('agrees with Express req.ip under trust proxy %s', async (_name, index) => {
    for (const forwarded of FORWARDED) {
      const response = await fetch(`${url}/?setting=${index}`, { headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded } });
      const { express: expected, ours } = (await response.json()) as { express: string | null; ours: string | null };
      expect(ours, `x-forwarded-for: ${forwarded}`).toBe(expected);
    }
  });

  it('gives the audit trail the address, browser and OS families and the request id, never the User-Agent itself', async () => {
    const userAgent = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';
    const response = await fetch(`${url}/?setting=5`, { headers: { 'user-agent': userAgent, 'x-forwarded-for': '203.0.113.7' } });
    const { origin } = (await response.json()) as { origin: unknown };
    expect(origin).toEqual({ ip: '203.0.113.7', browser: 'Safari', os: 'macOS', requestId: 'req-1' });
  });
});
