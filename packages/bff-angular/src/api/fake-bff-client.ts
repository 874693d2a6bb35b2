import type { AuthFailureReason, MeOutput } from '@oidc-bff/protocol';
import type { TRPCRequestOptions } from '@trpc/client';
import { trpcError } from './fake-bff-api.js';
import type { BffClient } from './trpc-client.js';

/**
 * Stands in for the tRPC client in specs (`provideBffTesting()` without `client` or `fetch`):
 * its `me` answers as the spec says, so `Auth` (the real one) is signed in, signed out or
 * unavailable. It has no other procedure; a spec of a page that calls the app's procedures
 * passes a fake of those as `provideBffTesting({ client })`, `me` included.
 *
 * @example
 * TestBed.inject(FakeBffClient).signIn(meFor({ sub: 'ada', name: 'Ada', email: null, groups: [], roles: ['admin'] }));
 * await TestBed.inject(Auth).load(); // 'signed-in'
 */
export class FakeBffClient implements BffClient {
  private answer: () => Promise<MeOutput> = () => Promise.reject(trpcError('UNAUTHORIZED', 'no_session'));
  /** The `(input, options)` of each call to `me`, oldest first. */
  readonly meCalls: [input: undefined, options: TRPCRequestOptions | undefined][] = [];

  readonly me = {
    query: (input?: undefined, options?: TRPCRequestOptions): Promise<MeOutput> => {
      this.meCalls.push([input, options]);
      return this.answer();
    },
  };

  /** `me` answers with `me` from now on. */
  signIn(me: MeOutput): void {
    this.answer = () => Promise.resolve(me);
  }

  /** `me` is refused as unauthenticated from now on, with `reason` (the start state, with `no_session`). */
  signOut(reason: AuthFailureReason = 'no_session'): void {
    this.answer = () => Promise.reject(trpcError('UNAUTHORIZED', reason));
  }

  /** `me` fails with `error` from now on, e.g. `trpcError('SERVICE_UNAVAILABLE', 'idp_unavailable')` or `networkError()`. */
  fail(error: unknown): void {
    this.answer = () => Promise.reject(error);
  }
}
