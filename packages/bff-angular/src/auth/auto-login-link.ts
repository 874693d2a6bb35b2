import type { TRPCLink } from '@trpc/client';
import type { AnyTRPCRouter } from '@trpc/server';
import { bffErrorData } from '../api/api-error.js';
import { observeCallsLink } from '../api/observe-calls-link.js';
import type { LoginFlow } from './login-flow.js';

/**
 * Operation context understood by {@link autoLoginLink}: `autoLogin: false` marks a call
 * whose caller handles "not signed in" itself (the session probe of the landing page).
 *
 * @example
 * trpc.me.query(undefined, { context: { autoLogin: false } satisfies AutoLoginContext })
 */
export interface AutoLoginContext {
  readonly autoLogin?: boolean;
}

/**
 * A tRPC link, placed before the transport, that hands every call failing with
 * UNAUTHORIZED (and the reason the API gives) to
 * {@link LoginFlow.signInOrShowSessionProblem}, or, for a step-up procedure's
 * `insufficient_user_authentication`, to {@link LoginFlow.stepUp}. The error still reaches
 * the caller: the page may be about to be replaced, but nothing is swallowed.
 *
 * `provideBff` places it first among the client's links.
 */
export function autoLoginLink<TRouter extends AnyTRPCRouter>(flow: Pick<LoginFlow, 'signInOrShowSessionProblem' | 'stepUp'>): TRPCLink<TRouter> {
  return observeCallsLink({
    failed: (error, op) => {
      const data = bffErrorData(error);
      if (data?.code !== 'UNAUTHORIZED') return;
      if (data.reason === 'insufficient_user_authentication') flow.stepUp(data);
      else flow.signInOrShowSessionProblem(data.reason, { autoLogin: (op.context as AutoLoginContext).autoLogin !== false });
    },
  });
}
