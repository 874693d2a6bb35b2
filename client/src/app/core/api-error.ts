import { TRPCClientError } from '@trpc/client';
import type { AppRouter } from '@bff/server/router';

/**
 * What a failed call means for the page that made it:
 * - `unauthorized`: not signed in (sign-in is already under way, see `LoginFlow`);
 * - `forbidden`: signed in without the required group (not the anti-forgery refusals);
 * - `invalid`: the input was refused (e.g. an empty message);
 * - `unavailable`: the API or the identity provider cannot be reached;
 * - `failed`: anything else.
 */
export type ApiErrorKind = 'unauthorized' | 'forbidden' | 'invalid' | 'unavailable' | 'failed';

export function apiErrorKind(error: unknown): ApiErrorKind {
  if (!(error instanceof TRPCClientError)) return 'failed';
  const data = (error as TRPCClientError<AppRouter>).data;
  switch (data?.code) {
    case 'UNAUTHORIZED':
      return 'unauthorized';
    case 'FORBIDDEN':
      // The anti-forgery guard also answers FORBIDDEN: a deployment problem, not a missing group.
      return data.reason === 'csrf' || data.reason === 'origin_denied' ? 'failed' : 'forbidden';
    case 'BAD_REQUEST':
    case 'PAYLOAD_TOO_LARGE':
      return 'invalid';
    case 'SERVICE_UNAVAILABLE':
    case 'GATEWAY_TIMEOUT':
    case 'BAD_GATEWAY':
    case undefined:
      // No tRPC error body at all: the request never reached the API (network, CORS, DNS).
      return 'unavailable';
    default:
      return 'failed';
  }
}

/** A plain sentence for an error state; pages add their own context around it. */
export function apiErrorMessage(kind: ApiErrorKind): string {
  switch (kind) {
    case 'unauthorized':
      return 'Your session has ended. Taking you to sign-in…';
    case 'forbidden':
      return 'Your account does not have access to this information.';
    case 'invalid':
      return 'The request was refused as invalid.';
    case 'unavailable':
      return 'The service cannot be reached right now. Check your connection, then try again.';
    case 'failed':
      return 'Something went wrong on our side. Try again; if it keeps happening, contact the service desk.';
  }
}
