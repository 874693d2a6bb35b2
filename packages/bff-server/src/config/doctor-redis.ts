import type { Config } from './env.js';
import type { Finding } from './finding.js';
import { isLoopbackHost } from './topology.js';
import { createRedisConnection, errorCode, redactRedisUrl } from '../cluster/redis-connection.js';

const quiet = { warn: () => undefined, info: () => undefined };

/**
 * Checks the shared session store: reachable, persistence on (a restart must not log
 * everyone out), an eviction policy that cannot silently drop sessions, and TLS
 * outside localhost.
 */
export async function redisFindings(config: Config): Promise<Finding[]> {
  const redis = config.redis;
  if (!redis) {
    return [
      {
        severity: config.production ? 'warn' : 'info',
        check: 'session-store',
        message: 'Sessions are kept in memory: they do not survive a restart and several instances cannot share them.',
        fix: 'Set REDIS_URL (or REDIS_CLUSTER_NODES) to keep them in Redis.',
      },
    ];
  }
  const findings: Finding[] = [];
  const target = redis.url ? redactRedisUrl(redis.url) : `cluster ${redis.clusterNodes}`;
  if (redis.url?.startsWith('redis://')) {
    const host = new URL(redis.url).hostname.replace(/^\[|\]$/g, '');
    if (!isLoopbackHost(host)) {
      findings.push({
        severity: config.production ? 'error' : 'warn',
        check: 'redis-tls',
        message: `${target} is plain redis:// outside localhost: session data crosses the network unencrypted in transit.`,
        fix: 'Use rediss:// (TLS).',
      });
    }
  }
  let connection;
  try {
    connection = await createRedisConnection({
      ...(redis.url ? { url: redis.url } : { clusterNodes: redis.clusterNodes ?? '' }),
      commandTimeoutMs: redis.timeoutMs,
      startupTimeoutMs: Math.max(redis.timeoutMs, 3000),
      logger: quiet,
    });
    await connection.ping();
  } catch (error) {
    await connection?.close().catch(() => undefined);
    return [
      ...findings,
      {
        severity: 'error',
        check: 'redis',
        message: `Cannot reach ${target} (${errorCode(error)}).`,
        fix: 'Check REDIS_URL / REDIS_CLUSTER_NODES, the password, TLS and firewalls.',
      },
    ];
  }
  try {
    findings.push({ severity: 'ok', check: 'redis', message: `${target} answers (${connection.kind}).` });
    const info = async (section: string) => String(await connection.command(undefined, ['INFO', section]));
    const field = (text: string, name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(text)?.[1]?.trim();
    const persistence = await info('persistence');
    const aof = field(persistence, 'aof_enabled') === '1';
    let rdb: boolean | undefined;
    try {
      const save = (await connection.command(undefined, ['CONFIG', 'GET', 'save'])) as unknown;
      const value = Array.isArray(save) ? save[1] : save && typeof save === 'object' ? (save as Record<string, unknown>)['save'] : undefined;
      rdb = typeof value === 'string' && value.trim() !== '';
    } catch {
      rdb = undefined; // managed services often disable CONFIG
    }
    findings.push(
      aof || rdb
        ? {
            severity: 'ok',
            check: 'redis-persistence',
            message: `Persistence is on (${[aof ? 'AOF' : '', rdb ? 'RDB snapshots' : ''].filter(Boolean).join(' and ')}): sessions survive a Redis restart.`,
          }
        : {
            severity: rdb === undefined ? 'warn' : 'error',
            check: 'redis-persistence',
            message:
              rdb === undefined
                ? 'AOF is off and the RDB setting cannot be read (CONFIG is disabled).'
                : 'Persistence is off: a Redis restart signs everyone out.',
            fix: 'Enable appendonly yes (or RDB snapshots) on the Redis server.',
          },
    );
    const policy = field(await info('memory'), 'maxmemory_policy') ?? 'unknown';
    const safe = policy === 'noeviction' || policy.startsWith('volatile-');
    findings.push(
      safe
        ? {
            severity: 'ok',
            check: 'redis-eviction',
            message: `Eviction policy ${policy}: sessions are never dropped to make room silently (they all have a TTL).`,
          }
        : {
            severity: 'error',
            check: 'redis-eviction',
            message: `Eviction policy ${policy}: when memory is full, Redis may drop live sessions and sign users out at random.`,
            fix: 'Set maxmemory-policy noeviction (or a volatile-* policy).',
          },
    );
  } catch (error) {
    findings.push({ severity: 'warn', check: 'redis', message: `Could not read the server's settings (${errorCode(error)}).` });
  } finally {
    await connection.close().catch(() => undefined);
  }
  return findings;
}
