import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type Env } from './env.js';

function problemsOf(env: Env): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues.map((i) => i.setting);
  }
  throw new Error('expected a ConfigError');
}

describe('live stream settings (S26)', () => {
  it('defaults to 6 streams per session and a 15-minute lifetime', () => {
    expect(loadConfig({}).trpc.streams).toEqual({ maxPerSession: 6, maxLifetimeSeconds: 900 });
  });

  it('reads TRPC_MAX_STREAMS_PER_SESSION and TRPC_STREAM_MAX_LIFETIME', () => {
    expect(loadConfig({ TRPC_MAX_STREAMS_PER_SESSION: '2', TRPC_STREAM_MAX_LIFETIME: '60' }).trpc.streams).toEqual({
      maxPerSession: 2,
      maxLifetimeSeconds: 60,
    });
  });

  it('refuses an unbounded or unreadable value: a stream cap of 0, a lifetime of 0 or past a day, words', () => {
    expect(problemsOf({ TRPC_MAX_STREAMS_PER_SESSION: '0' })).toEqual(['TRPC_MAX_STREAMS_PER_SESSION']);
    expect(problemsOf({ TRPC_MAX_STREAMS_PER_SESSION: 'many' })).toEqual(['TRPC_MAX_STREAMS_PER_SESSION']);
    expect(problemsOf({ TRPC_STREAM_MAX_LIFETIME: '0' })).toEqual(['TRPC_STREAM_MAX_LIFETIME']);
    expect(problemsOf({ TRPC_STREAM_MAX_LIFETIME: String(24 * 3600 + 1) })).toEqual(['TRPC_STREAM_MAX_LIFETIME']);
  });
});
