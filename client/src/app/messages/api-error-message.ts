import { apiErrorKind, retryAfterSeconds } from '@oidc-bff/angular';
import { rateLimitMessage } from './rate-limit-message';

// Apart from rate-limit-message.ts, which the shell loads at start-up: only pages, loaded later, show these sentences.

/**
 * A plain sentence for a failed call, in the app's words; pages add their own context
 * around it. For a `rate-limited` failure it says when to try again, which is why it takes
 * the error.
 */
export function apiErrorMessage(error: unknown): string {
  switch (apiErrorKind(error)) {
    case 'unauthorized':
      return 'Your session has ended. Taking you to sign-in…';
    case 'forbidden':
      return 'Your account does not have access to this information.';
    case 'not-found':
      return 'It is no longer there: what you see was out of date.';
    case 'invalid':
      return 'The request was refused as invalid.';
    case 'rate-limited':
      return rateLimitMessage(retryAfterSeconds(error));
    case 'unavailable':
      return 'The service is temporarily unavailable. It is retried automatically; you can also try again.';
    case 'failed':
      return 'Something went wrong on our side. Try again; if it keeps happening, contact the service desk.';
  }
}
