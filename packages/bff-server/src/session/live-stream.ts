import { IdpUnavailableError } from '../oidc/discovery.js';
import { describeError } from '../errors.js';
import { reauthenticate, type AuthDeps, type AuthResult } from './authenticate.js';
import { SessionStoreUnavailableError, type SessionData, type StreamSlot } from './store.js';

/** The bounds of every live stream (S26), from `TRPC_MAX_STREAMS_PER_SESSION` and `TRPC_STREAM_MAX_LIFETIME`. */
export interface StreamBounds {
  /** Streams one session may hold open at once (a few tabs), across the deployment when the store is shared. */
  readonly maxPerSession: number;
  /** After this long a stream ends; the client reconnects and resumes after the last event it received. */
  readonly maxLifetimeSeconds: number;
}

export const DEFAULT_STREAM_BOUNDS: StreamBounds = { maxPerSession: 6, maxLifetimeSeconds: 15 * 60 };

/** How long a slot stays held without renewal: a crashed instance's streams stop counting after this. */
export const STREAM_SLOT_LEASE_MS = 30_000;
/** When a refused stream may try again: by then, a slot that a vanished holder kept has freed itself. */
export const STREAM_RETRY_AFTER_SECONDS = STREAM_SLOT_LEASE_MS / 1000;
/** How soon a stream asks about its session again when the store or the IdP could not answer. */
const RECHECK_AFTER_OUTAGE_MS = 5_000;
/** A deadline that comes back at once (a clock step, a token issued already expiring) is not polled. */
const MIN_RECHECK_MS = 1_000;
/** Timers fire up to a millisecond early; a check that lands just before its deadline would find nothing. */
const DEADLINE_SLACK_MS = 20;
/** Streams opened together (a deployment, a network blip) do not all end, and reconnect, at one moment. */
const LIFETIME_JITTER = 0.1;
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Why a stream ended:
 * - `lifetime`: its maximum lifetime passed; the client reconnects and resumes;
 * - `slot_lost`: its slot's lease ran out (the process stalled, or the store lost it); the same;
 * - `session`: its session ended (on any instance), expired, or can no longer be refreshed:
 *   reconnecting would be refused;
 * - `closed`: the client went away, the source ended, or the instance is draining.
 */
export type StreamEnd = 'lifetime' | 'slot_lost' | 'session' | 'closed';

const ENDED = Symbol('ended');

/**
 * One live stream of a session, bounded (S26): it holds one of the session's stream slots
 * (renewed while it lives, released when it ends), ends at its maximum lifetime, ends when its
 * session ends anywhere (announced on the bus), and checks on its session, through the same
 * path as a call ({@link reauthenticate}, which refreshes tokens), at the earliest of the
 * session's idle deadline, its absolute deadline and its access token's expiry, so that an
 * expiry nobody announces (a session left idle, a Redis TTL) still ends it, on whichever
 * instance holds it. Checking never counts as use: idle means no calls.
 *
 * @example
 * const stream = await LiveStream.open(deps, bounds, session, signal);
 * if (!stream) throw tooManyStreams();
 * yield* stream.pipe(source);
 */
export class LiveStream {
  readonly #deps: AuthDeps;
  readonly #slot: StreamSlot;
  readonly #request: AbortSignal | undefined;
  readonly #controller = new AbortController();
  readonly #lifetime: NodeJS.Timeout;
  readonly #renewal: NodeJS.Timeout;
  readonly #stopWatching: () => void;
  #session: SessionData;
  #check: NodeJS.Timeout | undefined;
  #end: StreamEnd | undefined;
  readonly #onRequestAborted = () => this.close('closed');

  /**
   * Takes a slot among the session's streams and starts the stream's clocks; undefined when
   * the session holds `bounds.maxPerSession` streams already.
   * @throws {SessionStoreUnavailableError} when the store cannot be reached.
   */
  static async open(deps: AuthDeps, bounds: StreamBounds, session: SessionData, request: AbortSignal | undefined): Promise<LiveStream | undefined> {
    const slot = await deps.sessions.takeStreamSlot(session.id, bounds.maxPerSession, STREAM_SLOT_LEASE_MS);
    return slot ? new LiveStream(deps, bounds, session, slot, request) : undefined;
  }

  private constructor(deps: AuthDeps, bounds: StreamBounds, session: SessionData, slot: StreamSlot, request: AbortSignal | undefined) {
    this.#deps = deps;
    this.#slot = slot;
    this.#session = session;
    this.#request = request;
    this.#lifetime = setTimeout(() => this.close('lifetime'), wholeSeconds(bounds.maxLifetimeSeconds * 1000 * (1 - Math.random() * LIFETIME_JITTER))).unref();
    this.#renewal = setInterval(() => void this.#renew(), STREAM_SLOT_LEASE_MS / 3).unref();
    this.#stopWatching = deps.sessions.onEnded((id) => {
      if (id === session.id) this.close('session');
    });
    request?.addEventListener('abort', this.#onRequestAborted, { once: true });
    if (request?.aborted) this.close('closed');
    else this.#scheduleCheck(session);
  }

  /** Aborts when the stream has ended, for whatever reason. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Why it ended; undefined while it lives. */
  get end(): StreamEnd | undefined {
    return this.#end;
  }

  /**
   * The events of `source` until the stream ends. The source is then asked to return but not
   * waited for: it must itself stop on its request's signal, which the endpoint aborts when
   * the response closes, so one that does not cannot hold the stream open.
   */
  async *pipe<T>(source: AsyncIterable<T>): AsyncGenerator<T, void, undefined> {
    const iterator = source[Symbol.asyncIterator]();
    const ended = new Promise<typeof ENDED>((resolve) => {
      if (this.signal.aborted) resolve(ENDED);
      else this.signal.addEventListener('abort', () => resolve(ENDED), { once: true });
    });
    try {
      for (;;) {
        const step = await Promise.race([iterator.next(), ended]);
        if (step === ENDED || step.done) return;
        yield step.value;
      }
    } finally {
      this.close('closed');
      void iterator.return?.()?.catch(() => undefined);
    }
  }

  /** Ends the stream (the first reason sticks), stops its clocks and gives its slot back. */
  close(end: StreamEnd): void {
    if (this.#end) return;
    this.#end = end;
    clearTimeout(this.#lifetime);
    clearTimeout(this.#check);
    clearInterval(this.#renewal);
    this.#stopWatching();
    this.#request?.removeEventListener('abort', this.#onRequestAborted);
    // A release that fails frees the slot anyway when its lease runs out.
    void this.#slot.release().catch(() => undefined);
    this.#controller.abort();
  }

  #scheduleCheck(session: SessionData, delayMs?: number): void {
    const deadline = Math.min(this.#deps.sessions.expiresAt(session), session.accessTokenExpiresAt);
    const ms = delayMs ?? Math.max(MIN_RECHECK_MS, deadline - Date.now() + DEADLINE_SLACK_MS);
    this.#check = setTimeout(() => void this.#recheck(), wholeSeconds(Math.min(ms, MAX_TIMER_MS))).unref();
  }

  async #recheck(): Promise<void> {
    let result: AuthResult;
    try {
      result = await reauthenticate(this.#deps, this.#session.id);
    } catch (error) {
      if (this.#end) return;
      if (error instanceof IdpUnavailableError || error instanceof SessionStoreUnavailableError) {
        // An outage is not a logout (S20): the stream goes on and asks again, unless the session is
        // past the deadline it had when last read, which no call can have moved while the store was down.
        if (Date.now() >= this.#deps.sessions.expiresAt(this.#session)) this.close('session');
        else this.#scheduleCheck(this.#session, RECHECK_AFTER_OUTAGE_MS);
        return;
      }
      this.#deps.logger.error('stream.recheck_failed', { error: describeError(error) });
      this.close('session');
      return;
    }
    if (this.#end) return;
    if (!result.ok) {
      this.#deps.logger.info('stream.session_ended', { reason: result.reason, sub: this.#session.sub });
      this.close('session');
      return;
    }
    this.#session = result.session;
    this.#scheduleCheck(result.session);
  }

  async #renew(): Promise<void> {
    try {
      if (!(await this.#slot.renew())) this.close('slot_lost');
    } catch {
      // The store is unreachable: the lease covers a short outage; after a long one the slot is lost and the next renewal says so.
    }
  }
}

/**
 * Timers of whole seconds share Node's per-duration timer lists: a cleared unref'd timer of a
 * duration of its own keeps its list until that duration has passed (the soak measured
 * +230 bytes per stream for up to 15 minutes with millisecond durations).
 */
function wholeSeconds(ms: number): number {
  return Math.ceil(ms / 1000) * 1000;
}
