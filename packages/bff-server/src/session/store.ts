/** What the server keeps for one signed-in browser. Never sent to the browser. */
export interface SessionData {
  /**
   * The session's identity on the server: the SHA-256 of the cookie's random handle
   * (base64url). The handle itself is never stored, so a store dump holds no usable cookie.
   */
  readonly id: string;
  /** Incremented by every write; a write succeeds only over the version it read (compare-and-set). */
  readonly version: number;
  readonly sub: string;
  readonly name: string;
  readonly email: string | null;
  /** The IdP's session id (`sid` claim of the ID token), for back-channel logout. */
  readonly idpSid: string | undefined;
  readonly accessToken: string;
  /** Epoch milliseconds. */
  readonly accessTokenExpiresAt: number;
  /** Epoch milliseconds at which the current tokens were obtained (login or refresh). */
  readonly tokensObtainedAt: number;
  readonly idToken: string;
  readonly refreshToken: string | undefined;
  /** Random per-session value a logout request must carry (S4). */
  readonly logoutId: string;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  /** Epoch milliseconds; drives the idle lifetime. */
  readonly lastSeenAt: number;
  /** Browser and OS families from the sign-in's User-Agent, for "signed-in devices". */
  readonly device: { readonly browser: string; readonly os: string };
  /** The groups the userinfo endpoint gave at sign-in, when it was asked and had the groups claim (`GROUPS_SOURCE`). */
  readonly userinfoGroups?: readonly string[] | undefined;
  /** The authentication context class of the last sign-in (its ID token's `acr`), when the IdP said; step-up checks it (S29). */
  readonly acr?: string | undefined;
  /** When the user last authenticated actively (the ID token's `auth_time`), epoch seconds, when the IdP said. */
  readonly authTime?: number | undefined;
  /** The user's tokens for downstream APIs (`DOWNSTREAM_APIS`), by API name, obtained on first use; they end with the session. */
  readonly downstreamTokens?: Readonly<Record<string, DownstreamToken>> | undefined;
}

/** A token the identity provider issued for a downstream API (by exchange or a resource grant). Never sent to the browser. */
export interface DownstreamToken {
  readonly accessToken: string;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
  /** Epoch milliseconds. */
  readonly obtainedAt: number;
}

/** Which sessions a back-channel logout ends: those of an IdP session, or all of a user's. */
export type SessionMatch = { readonly idpSid: string } | { readonly sub: string };

/** A per-session lease: held by one holder until released or expired (S21). */
export interface Lease {
  /** Random value that identifies the holder; only it can renew or release the lease. */
  readonly token: string;
  /** Extends the lease by its original duration; false when it was lost (expired and taken). */
  renew(): Promise<boolean>;
  /** Gives the lease up if this holder still has it. */
  release(): Promise<void>;
}

/**
 * One of a session's open live streams, counted against its cap while held (S26). It frees
 * itself unless renewed within its lease, so the streams of a crashed instance stop counting
 * without anybody releasing them.
 */
export interface StreamSlot {
  /** Extends the slot by its lease; false when it was lost (the lease ran out first). */
  renew(): Promise<boolean>;
  /** Gives the slot back. */
  release(): Promise<void>;
}

// Thrown by a store that cannot be reached or does not answer in time (S20); declared in the one error module.
import { SessionStoreUnavailableError } from '../errors.js';
export { SessionStoreUnavailableError };

/**
 * Server-side session storage. In memory by default; the Redis store implements the
 * same contract so that several instances share sessions (`store-contract.test.ts`
 * runs one suite against every implementation). Every method may throw
 * {@link SessionStoreUnavailableError}; none ever reports "absent" for "unreachable".
 */
export interface SessionStore {
  /** What the store is, for logs and health: `memory`, `redis`, `redis-cluster`. */
  readonly kind: string;
  get(id: string): Promise<SessionData | undefined>;
  /** Stores a new session (version 1); the store forgets it after `ttlMs`. */
  create(session: SessionData, ttlMs: number): Promise<void>;
  /**
   * Replaces a session only if the stored version is `session.version - 1` and it still
   * exists; false otherwise (another writer came first, or it ended). Never resurrects.
   */
  update(session: SessionData, ttlMs: number): Promise<boolean>;
  /** Deletes a session; false if there was none. */
  delete(id: string): Promise<boolean>;
  /** Deletes every session of an IdP session (`sid`) or of a user (`sub`); returns their ids. */
  deleteMatching(match: SessionMatch): Promise<string[]>;
  /** The live sessions of a user (for "signed-in devices"). */
  listBySub(sub: string): Promise<SessionData[]>;
  /** Live sessions, all users. */
  count(): Promise<number>;
  /** Takes the session's lease for `ttlMs` if nobody holds it; undefined if somebody does. */
  lock(id: string, ttlMs: number): Promise<Lease | undefined>;
  /**
   * Takes one of the `max` stream slots of session `id` for `leaseMs`; undefined when all
   * of them are held. With a shared store the slots are counted across every instance.
   */
  takeStreamSlot(id: string, max: number, leaseMs: number): Promise<StreamSlot | undefined>;
  /** Throws {@link SessionStoreUnavailableError} unless the store answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
