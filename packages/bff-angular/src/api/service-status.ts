import { DestroyRef, inject, signal } from '@angular/core';
import type { TRPCLink } from '@trpc/client';
import type { AnyTRPCRouter } from '@trpc/server';
import { apiErrorKind, bffErrorData, retryAfterSeconds } from './api-error.js';
import { observeCallsLink } from './observe-calls-link.js';

/**
 * What stops the API from serving calls right now, whatever call found out:
 * - `unavailable`: it, or something it depends on, is down (503, or no answer at all);
 * - `rate-limited`: too many calls (429) for `retryAfterSeconds`.
 */
export type ServiceProblem = { readonly kind: 'unavailable' } | { readonly kind: 'rate-limited'; readonly retryAfterSeconds: number };

/** The wait before each retry while the API is unavailable: 1 s, 2 s, 4 s… at most 15 s. */
export function retryDelayMs(attempt: number): number {
  return Math.min(1000 * 2 ** attempt, 15_000);
}

/**
 * Whether the API can serve calls, as the calls themselves show (see
 * {@link serviceStatusLink}). An unavailable API is not a sign-out: nobody is sent to
 * sign in; instead, the application is told to retry with a growing delay until the API
 * answers again, and then that it is back. A rate limit lasts as long as the API said,
 * and its end counts as being back: what it refused (a call, a live stream beyond the
 * session's cap) is asked again then, not sooner.
 *
 * Provided by `provideBff` (and `provideBffTesting`); one per application.
 */
export class ServiceStatus {
  private readonly current = signal<ServiceProblem | null>(null);
  private readonly retryListeners = new Set<() => void>();
  private readonly recoveryListeners = new Set<() => void>();
  private failedAttempts = 0;
  /** When to call the retry listeners: the next retry while unavailable, or the end of a rate limit. */
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** The current problem, or null when the API answers normally. */
  readonly problem = this.current.asReadonly();

  constructor() {
    inject(DestroyRef).onDestroy(() => clearTimeout(this.timer));
  }

  /** A call found the API unavailable. Schedules the next retry, unless one is already due. */
  reportUnavailable(): void {
    if (this.current()?.kind === 'unavailable' && this.timer !== undefined) return;
    this.schedule({ kind: 'unavailable' }, retryDelayMs(this.failedAttempts++));
  }

  /** A call got an answer from the API: an outage, if any, is over. */
  reportAnswered(): void {
    if (this.current()?.kind !== 'unavailable') return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.failedAttempts = 0;
    this.current.set(null);
    notify(this.recoveryListeners);
  }

  /** A call was refused as one too many; the API takes calls again in `seconds`. */
  reportRateLimited(seconds: number): void {
    this.reportAnswered();
    this.schedule({ kind: 'rate-limited', retryAfterSeconds: seconds }, seconds * 1000);
  }

  /**
   * Calls `listener` whenever it is time to ask the API again: after each retry delay
   * while it is unavailable, and when a rate limit ends. Returns a function that stops.
   */
  onRetry(listener: () => void): () => void {
    this.retryListeners.add(listener);
    return () => this.retryListeners.delete(listener);
  }

  /**
   * Calls `listener` when the API can serve calls again: it answered after being unavailable,
   * or a rate limit is over. Returns a function that stops.
   */
  onRecovered(listener: () => void): () => void {
    this.recoveryListeners.add(listener);
    return () => this.recoveryListeners.delete(listener);
  }

  private schedule(problem: ServiceProblem, ms: number): void {
    clearTimeout(this.timer);
    this.current.set(problem);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // A rate limit simply ends; an outage lasts until a call is answered.
      const limitOver = this.current() === problem && problem.kind === 'rate-limited';
      if (limitOver) this.current.set(null);
      notify(this.retryListeners);
      if (limitOver) notify(this.recoveryListeners);
    }, ms);
  }
}

function notify(listeners: ReadonlySet<() => void>): void {
  for (const listener of [...listeners]) listener();
}

/**
 * A tRPC link that tells {@link ServiceStatus} how every call ends: unavailable (503,
 * 502, 504 or no answer), rate limited (429, with `Retry-After`), or answered.
 * `provideBff` places it after `autoLoginLink`. Reads nothing of the app's procedures.
 */
export function serviceStatusLink<TRouter extends AnyTRPCRouter>(status: ServiceStatus): TRPCLink<TRouter> {
  return observeCallsLink({
    answered: () => status.reportAnswered(),
    failed: (error) => {
      const kind = apiErrorKind(error);
      if (kind === 'unavailable') status.reportUnavailable();
      else if (kind === 'rate-limited') status.reportRateLimited(retryAfterSeconds(error));
      else if (bffErrorData(error)) status.reportAnswered();
    },
  });
}
