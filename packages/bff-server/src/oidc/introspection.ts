/**
 * What an RFC 7662 introspection endpoint answers: `active`, and for an active token
 * its claims (`sub`, `exp`, `aud`, `iss`, and whatever the IdP adds, such as groups).
 */
export interface IntrospectionResponse {
  readonly active: boolean;
  readonly [claim: string]: unknown;
}

export interface IntrospectorOptions {
  /** Asks the IdP; throws when it cannot answer (an outage says nothing about the token). */
  readonly introspect: (token: string) => Promise<IntrospectionResponse>;
  /** How long an answer is reused, at most; an active token's answer never outlives its `exp`. 0: never reused. */
  readonly ttlSeconds: number;
  /** Answers kept at most; the oldest go first. Default 10 000. */
  readonly capacity?: number;
  /** Milliseconds since the epoch; injectable for tests. */
  readonly now?: () => number;
}

interface Remembered {
  readonly response: IntrospectionResponse;
  readonly until: number;
}

/**
 * Asks the IdP about opaque access tokens, remembering each answer for a short
 * while: a revoked token stops working within `ttlSeconds`, and a burst of calls
 * with one token costs one request. Concurrent questions about the same token
 * share one request (single-flight). Inactive answers are remembered too: a token
 * never comes back to life. Failures are not remembered.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-4 (caching and revocation)
 */
export class Introspector {
  readonly #options: IntrospectorOptions;
  readonly #now: () => number;
  readonly #answers = new Map<string, Remembered>();
  readonly #inFlight = new Map<string, Promise<IntrospectionResponse>>();

  constructor(options: IntrospectorOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** The IdP's answer about `token`, fresh or at most `ttlSeconds` old. */
  introspect(token: string): Promise<IntrospectionResponse> {
    const remembered = this.#answers.get(token);
    if (remembered && remembered.until > this.#now()) return Promise.resolve(remembered.response);
    if (remembered) this.#answers.delete(token);
    let pending = this.#inFlight.get(token);
    if (!pending) {
      pending = this.#ask(token).finally(() => this.#inFlight.delete(token));
      this.#inFlight.set(token, pending);
    }
    return pending;
  }

  /** How many answers are remembered (expired ones may still count until they are looked up). */
  get size(): number {
    return this.#answers.size;
  }

  async #ask(token: string): Promise<IntrospectionResponse> {
    const response = await this.#options.introspect(token);
    const now = this.#now();
    const exp = typeof response['exp'] === 'number' ? response['exp'] * 1000 : Number.POSITIVE_INFINITY;
    const until = Math.min(now + this.#options.ttlSeconds * 1000, response.active ? exp : Number.POSITIVE_INFINITY);
    const capacity = this.#options.capacity ?? 10_000;
    if (until > now && capacity > 0) {
      for (const oldest of this.#answers.keys()) {
        if (this.#answers.size < capacity) break;
        this.#answers.delete(oldest);
      }
      this.#answers.set(token, { response, until });
    }
    return response;
  }
}
