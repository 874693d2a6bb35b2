import { AnswerCache } from '../answer-cache.js';

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
  /** Answers kept at most; the least recently used go first. Default 10 000. */
  readonly capacity?: number;
  /** Milliseconds since the epoch; injectable for tests. */
  readonly now?: () => number;
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
  readonly #answers: AnswerCache<IntrospectionResponse>;

  constructor(options: IntrospectorOptions) {
    const now = options.now ?? Date.now;
    this.#answers = new AnswerCache({
      max: options.capacity ?? 10_000,
      now,
      ask: async (token) => {
        const response = await options.introspect(token);
        const exp = typeof response['exp'] === 'number' ? response['exp'] * 1000 : Number.POSITIVE_INFINITY;
        const keepMs = Math.min(options.ttlSeconds * 1000, response.active ? exp - now() : Number.POSITIVE_INFINITY);
        return { value: response, keepMs };
      },
    });
  }

  /** The IdP's answer about `token`, fresh or at most `ttlSeconds` old. */
  introspect(token: string): Promise<IntrospectionResponse> {
    return this.#answers.get(token);
  }

  /** How many answers are remembered (expired ones may still count until they are looked up). */
  get size(): number {
    return this.#answers.size;
  }
}
