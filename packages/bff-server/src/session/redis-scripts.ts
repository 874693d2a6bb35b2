import { defineScript, type CommandParser, type RedisScripts } from 'redis';

/** A script of the session store, as node-redis takes it: one key, `KEYS[1]` (which routes it on a Cluster), and string arguments, `ARGV`. */
type SessionScriptDefinition = RedisScripts[string] & {
  readonly parseCommand: (parser: CommandParser, key: string, args: readonly string[]) => void;
  readonly transformReply: (reply: unknown) => unknown;
};

function script(source: string): SessionScriptDefinition {
  return defineScript({
    SCRIPT: source,
    NUMBER_OF_KEYS: 1,
    parseCommand: (parser: CommandParser, key: string, args: readonly string[]) => {
      parser.pushKey(key);
      parser.push(...args);
    },
    // The reply as Redis sends it (integers, strings, arrays): the store checks its shape.
    transformReply: (reply: unknown) => reply,
  });
}

/**
 * The Lua scripts of the Redis session store, registered with node-redis by
 * `createRedisConnection`: node-redis sends each by SHA1 (EVALSHA) and in full only
 * when the server does not know it yet (NOSCRIPT, after a restart or failover). Every
 * script touches exactly one key, so it runs atomically on one node of a Cluster. The
 * names become methods of the node-redis client, hence the prefix.
 */
export const SESSION_SCRIPTS = {
  /** Writes a new record: version and sealed data side by side, so the version can be compared without the key. */
  bffSessionCreate: script(`
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'd', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`),

  /** Compare-and-set on the version; a missing (deleted, expired) record stays missing. */
  bffSessionUpdate: script(`
local current = redis.call('HGET', KEYS[1], 'v')
if not current or tonumber(current) ~= tonumber(ARGV[1]) - 1 then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'd', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`),

  /**
   * Adds or moves a member of an index (a sorted set scored by expiry, epoch ms on the
   * server's clock), drops expired members, and lets the set expire with its last member.
   * ARGV[3] = 'XX' only moves a member that is still there.
   */
  bffIndexAdd: script(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local expires = now + tonumber(ARGV[2])
if ARGV[3] == 'XX' then
  redis.call('ZADD', KEYS[1], 'XX', expires, ARGV[1])
else
  redis.call('ZADD', KEYS[1], expires, ARGV[1])
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if last[2] then redis.call('PEXPIREAT', KEYS[1], last[2]) end
return 1
`),

  /** The members of an index that have not expired (expired ones are dropped on the way). */
  bffIndexLive: script(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if ARGV[1] == 'count' then return redis.call('ZCARD', KEYS[1]) end
return redis.call('ZRANGE', KEYS[1], 0, -1)
`),

  bffLeaseRenew: script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`),

  bffLeaseRelease: script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`),

  /**
   * Takes a stream slot: a member of the session's slot set scored by its lease's end (server
   * clock). Members whose lease ran out are dropped first, so a crashed holder's slots free
   * themselves; the set expires with its longest lease. ARGV: token, max, lease ms.
   */
  bffSlotTake: script(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[1], last[2])
return 1
`),

  /** Extends a slot that is still held; one whose lease ran out stays lost (another may have its place). */
  bffSlotRenew: script(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) <= now then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 0
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[1], last[2])
return 1
`),
};

/** The name of one of {@link SESSION_SCRIPTS}. */
export type SessionScript = keyof typeof SESSION_SCRIPTS;
