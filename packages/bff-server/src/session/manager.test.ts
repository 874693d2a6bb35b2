import { describe, expect, it } from 'vitest';
import { MemoryBus } from '../cluster/bus.js';
import { MemorySessionStore } from './memory-store.js';
import { SessionManager } from './manager.js';

const OLD = 'old-session-secret-0123456789abcdef0123456789';
const NEW = 'new-session-secret-0123456789abcdef0123456789';

function manager(secrets: string[], store = new MemorySessionStore()) {
  return new SessionManager({
    store,
    bus: new MemoryBus(),
    secrets,
    idleTtlSeconds: 600,
    absoluteTtlSeconds: 3600,
    cookie: { name: 's', secure: false, sameSite: 'lax' },
  });
}

const newSession = {
  sub: 'alice',
  name: 'Alice',
  email: null,
  idpSid: undefined,
  accessToken: 'a',
  accessTokenExpiresAt: Date.now() + 60_000,
  tokensObtainedAt: Date.now(),
  idToken: 'i',
  refreshToken: undefined,
  device: { browser: 'Firefox', os: 'Linux' },
};

describe('session secrets rotate without signing anyone out (S19)', () => {
  it('accepts cookies signed with an older secret of the list, signs new ones with the first, refuses unknown secrets', async () => {
    const store = new MemorySessionStore();
    const before = await manager([OLD], store).create(newSession);
    const rotated = manager([NEW, OLD], store);
    expect((await rotated.resolve(before.cookieValue)).ok).toBe(true);
    const after = await rotated.create(newSession);
    expect((await manager([NEW], store).resolve(after.cookieValue)).ok).toBe(true);
    expect(await manager([NEW], store).resolve(before.cookieValue)).toEqual({ ok: false, reason: 'invalid_session' });
  });

  it('keys the store by a hash of the handle: the cookie value is nowhere in the stored session', async () => {
    const store = new MemorySessionStore();
    const { session, cookieValue } = await manager([NEW], store).create(newSession);
    const handle = cookieValue.split('.')[0] ?? '';
    expect(handle.length).toBeGreaterThan(40);
    expect(JSON.stringify(await store.get(session.id))).not.toContain(handle);
    expect(session.id).not.toBe(handle);
  });
});

describe('the local copy of a session (localCacheMs)', () => {
  it('is read again from the store once localCacheMs has passed, however often it was used meanwhile: a lost announcement stays bounded', async () => {
    let now = 1_000_000;
    const store = new MemorySessionStore(() => now);
    const sessions = new SessionManager({
      store,
      bus: new MemoryBus(),
      secrets: [NEW],
      idleTtlSeconds: 600,
      absoluteTtlSeconds: 3600,
      cookie: { name: 's', secure: false, sameSite: 'lax' },
      localCacheMs: 1000,
      now: () => now,
    });
    const { session, cookieValue } = await sessions.create(newSession);
    expect(await sessions.resolve(cookieValue)).toMatchObject({ ok: true, session: { name: 'Alice' } });
    // Written by another instance, whose announcement of the change never arrived here.
    expect(await store.update({ ...session, version: 2, name: 'Alice Liddell' }, 3_600_000)).toBe(true);
    for (let step = 0; step < 9; step += 1) {
      now += 100;
      expect(await sessions.resolve(cookieValue)).toMatchObject({ ok: true, session: { name: 'Alice' } });
    }
    now += 200;
    expect(await sessions.resolve(cookieValue)).toMatchObject({ ok: true, session: { name: 'Alice Liddell' } });
  });
});
