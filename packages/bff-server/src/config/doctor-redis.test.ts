import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '@bff/test-kit';
import { loadConfig } from './env.js';
import { redisFindings } from './doctor-redis.js';

describe('doctor: the session store (real redis-server)', () => {
  let durable: RedisServer;
  let volatile: RedisServer;
  beforeAll(async () => {
    [durable, volatile] = await Promise.all([startRedis({ persistence: true }), startRedis()]);
  });
  afterAll(async () => {
    await Promise.all([durable?.stop(), volatile?.stop()]);
  });

  const check = (findings: Awaited<ReturnType<typeof redisFindings>>, name: string) => findings.find((f) => f.check === name);

  it('passes a reachable Redis with persistence and noeviction', async () => {
    const findings = await redisFindings(loadConfig({ REDIS_URL: durable.url }));
    expect(check(findings, 'redis')?.severity).toBe('ok');
    expect(check(findings, 'redis-persistence')?.severity).toBe('ok');
    expect(check(findings, 'redis-eviction')?.severity).toBe('ok');
  });

  it('flags no persistence and an eviction policy that can drop sessions', async () => {
    await volatile.cli('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru');
    const findings = await redisFindings(loadConfig({ REDIS_URL: volatile.url }));
    expect(check(findings, 'redis-persistence')).toMatchObject({ severity: 'error', fix: expect.stringMatching(/appendonly/) });
    expect(check(findings, 'redis-eviction')).toMatchObject({ severity: 'error', fix: expect.stringMatching(/noeviction/) });
  });

  it('reports an unreachable Redis without leaking its password', async () => {
    const findings = await redisFindings(loadConfig({ REDIS_URL: 'redis://:s3cret-pass@127.0.0.1:1', REDIS_TIMEOUT_MS: '300' }));
    expect(check(findings, 'redis')?.severity).toBe('error');
    expect(JSON.stringify(findings)).not.toContain('s3cret-pass');
  });

  it('warns about the memory store, and about plain redis:// to another host', async () => {
    expect(
      check(
        await redisFindings(
          loadConfig({
            NODE_ENV: 'production',
            OIDC_ISSUER: 'https://idp.example.com',
            OIDC_CLIENT_ID: 'c',
            OIDC_CLIENT_SECRET: 's',
            OIDC_AUDIENCE: 'a',
            FRONT_URL: 'https://app.example.com',
            BACK_URL: 'https://app.example.com',
            SESSION_SECRET: 'x'.repeat(40),
          }),
        ),
        'session-store',
      )?.severity,
    ).toBe('warn');
    const findings = await redisFindings(loadConfig({ REDIS_URL: 'redis://redis.example.test:1', REDIS_TIMEOUT_MS: '200' }));
    expect(check(findings, 'redis-tls')?.severity).toBe('warn');
  });
});
