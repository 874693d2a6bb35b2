import { describe, expect, it } from 'vitest';
import { TRPCError } from '@trpc/server';
import { IdpUnavailableError } from '../oidc/discovery.js';
import { SessionStoreUnavailableError } from '../session/store.js';
import { MemoryBus } from '../cluster/bus.js';
import { NoteBoard, testRouter } from '../testing/test-app.js';
import { DirectoryUnavailableError, DownstreamUnavailableError } from '../errors.js';
import { createCallerFactory, protectedProcedure, router } from './init.js';
import { createInnerContext } from './context.js';
import { createTestBff } from './test-context.js';

const createCaller = createCallerFactory(testRouter);
const alice = { sub: 'alice', name: 'Alice Martin', email: 'alice@example.test', groups: ['analysts'], roles: ['analyst'] };

async function codeOf(promise: Promise<unknown>): Promise<{ code: string; reason: unknown }> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TRPCError);
    const e = error as TRPCError;
    return { code: e.code, reason: (e.cause as { reason?: unknown } | undefined)?.reason };
  }
  throw new Error('expected the call to fail');
}

describe('the procedures the machinery exports, through createCaller', () => {
  const app = { notes: new NoteBoard(new MemoryBus(), 'a') };

  it('maps a refused session to UNAUTHORIZED with its reason, and an unreachable IdP to SERVICE_UNAVAILABLE', async () => {
    const bff = createTestBff({ app });
    expect(await codeOf(createCaller(bff.refusedContext('session_expired')).me())).toEqual({ code: 'UNAUTHORIZED', reason: 'session_expired' });
    const down = createCaller(
      createInnerContext(bff.services, app, async () => {
        throw new IdpUnavailableError();
      }),
    );
    expect(await codeOf(down.chat.history())).toEqual({ code: 'SERVICE_UNAVAILABLE', reason: 'idp_unavailable' });
  });

  it('maps an unreachable session store to SERVICE_UNAVAILABLE with its reason, never UNAUTHORIZED (S20)', async () => {
    const bff = createTestBff({ app });
    const down = createCaller(
      createInnerContext(bff.services, app, async () => {
        throw new SessionStoreUnavailableError();
      }),
    );
    expect(await codeOf(down.me())).toEqual({ code: 'SERVICE_UNAVAILABLE', reason: 'session_store_unavailable' });
  });

  it('answers a dependency down inside a resolver as SERVICE_UNAVAILABLE with its reason, not an internal error (S20), and leaves a chosen TRPCError alone', async () => {
    const outages = router({
      directory: protectedProcedure.query(() => {
        throw new DirectoryUnavailableError();
      }),
      downstream: protectedProcedure.query(() => {
        throw new DownstreamUnavailableError('reports');
      }),
      chosen: protectedProcedure.query(() => {
        throw new TRPCError({ code: 'BAD_GATEWAY', cause: new DownstreamUnavailableError('reports') });
      }),
    });
    const calls: boolean[] = [];
    const bff = createTestBff({ app, hooks: { onCall: ({ ok }) => calls.push(ok) } });
    const caller = createCallerFactory(outages)(await bff.contextFor(alice));
    expect(await codeOf(caller.directory())).toEqual({ code: 'SERVICE_UNAVAILABLE', reason: 'directory_unavailable' });
    expect(await codeOf(caller.downstream())).toEqual({ code: 'SERVICE_UNAVAILABLE', reason: 'downstream_unavailable' });
    expect(await codeOf(caller.chosen())).toEqual({ code: 'BAD_GATEWAY', reason: undefined });
    expect(calls).toEqual([false, false, false]);
  });

  it('resolves the session once per request, however many procedures need it', async () => {
    const bff = createTestBff({ app, roleMap: { analyst: ['analysts'] } });
    const signedIn = await bff.contextFor(alice);
    let resolutions = 0;
    const ctx = createInnerContext(bff.services, app, () => {
      resolutions += 1;
      return signedIn.auth();
    });
    const caller = createCaller(ctx);
    await Promise.all([caller.me(), caller.chat.history(), caller.analytics()]);
    expect(resolutions).toBe(1);
  });

  it('reports every call to the onCall hook with its path, type and outcome', async () => {
    const calls: Array<{ path: string; type: string; ok: boolean }> = [];
    const bff = createTestBff({ app, hooks: { onCall: ({ path, type, ok }) => calls.push({ path, type, ok }) } });
    const caller = createCaller(await bff.contextFor({ ...alice, roles: [] }));
    await caller.me();
    await caller.chat.send({ text: 'hi' });
    await codeOf(caller.analytics());
    expect(calls).toEqual([
      { path: 'me', type: 'query', ok: true },
      { path: 'chat.send', type: 'mutation', ok: true },
      { path: 'analytics', type: 'query', ok: false },
    ]);
  });
});
