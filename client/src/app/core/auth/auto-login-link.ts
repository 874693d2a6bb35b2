import type { TRPCLink } from '@trpc/client';
import type { AppRouter } from '@bff/server/router';
import { observeCallsLink } from '../api/observe-calls-link';
import type { LoginFlow } from './login-flow';

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
 * {@link LoginFlow.signInOrShowSessionProblem}. The error still reaches the caller: the
 * page may be about to be replaced, but nothing is swallowed.
 *
 * @example
 * provideTrpcClient(() => [autoLoginLink(inject(LoginFlow))])
 */
export function autoLoginLink(flow: Pick<LoginFlow, 'signInOrShowSessionProblem'>): TRPCLink<AppRouter> {
  return observeCallsLink({
    failed: (error, op) => {
      if (error.data?.code !== 'UNAUTHORIZED') return;
      flow.signInOrShowSessionProblem(error.data.reason, { autoLogin: (op.context as AutoLoginContext).autoLogin !== false });
    },
  });
}
