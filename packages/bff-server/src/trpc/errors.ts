import { TRPCError } from '@trpc/server';
import type { AuthFailureReason, StepUpChallenge } from '@oidc-bff/protocol';
import { outcomeOf, StepUpRequiredError } from '../errors.js';

/** Carried as the `cause` of a `TRPCError` so that the error formatter can publish the reason. */
export class AuthFailure extends Error {
  override readonly name = 'AuthFailure';
  constructor(
    readonly reason: AuthFailureReason,
    /** For `rate_limited` and `too_many_streams`: when to try again, sent as `Retry-After` and `retryAfterSeconds`. */
    readonly retryAfterSeconds?: number,
    options?: { cause?: unknown; challenge?: StepUpChallenge },
  ) {
    super(reason, options);
    this.challenge = options?.challenge;
  }

  /** For `insufficient_user_authentication`: what a new sign-in must satisfy, sent in `error.data` (RFC 9470). */
  readonly challenge: StepUpChallenge | undefined;
}

/**
 * What a procedure answers for `error`: one of the BFF's errors as its row of
 * `ERROR_OUTCOMES` says (a dependency down is `SERVICE_UNAVAILABLE` with its reason, never a
 * logout: S20), a `TRPCError` as it is, anything else as `INTERNAL_SERVER_ERROR`.
 */
export function toTrpcError(error: unknown): TRPCError {
  if (error instanceof TRPCError) return error;
  const outcome = outcomeOf(error);
  if (!outcome) return new TRPCError({ code: 'INTERNAL_SERVER_ERROR', cause: error });
  const challenge = error instanceof StepUpRequiredError ? error.challenge : undefined;
  return new TRPCError({
    code: outcome.trpc,
    cause: outcome.reason ? new AuthFailure(outcome.reason, undefined, { cause: error, ...(challenge ? { challenge } : {}) }) : error,
  });
}
