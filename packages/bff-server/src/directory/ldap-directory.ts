import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Client, type Entry, type Filter } from 'ldapts';
import { isDn, normalizeDn } from '../authz/dn.js';
import { AnswerCache, type Answer } from '../answer-cache.js';
import { memberFilter, UserFilterTemplate } from './filter.js';

/** The part of the server's logger the directory uses. */
export interface DirectoryLogger {
  warn(event: string, fields: Record<string, unknown>): void;
}

/** How to reach and read the directory. */
export interface LdapDirectoryOptions {
  /** `ldap://host:port` or `ldaps://host:port`. */
  readonly url: string;
  /** The service account; it needs read access to users and groups, nothing more. */
  readonly bindDn: string;
  readonly bindPassword: string;
  /** Where users are searched (subtree). */
  readonly userBase: string;
  /** Filter that finds one user; the username stands in its values at `{username}` (as data, never as syntax). Default `(uid={username})`. */
  readonly userFilter?: string;
  /** Where groups are searched (subtree), for direct membership and for nesting. */
  readonly groupBase: string;
  /** Upgrade an `ldap://` connection with StartTLS before binding. */
  readonly startTls: boolean;
  /** Bounds the connection and every single LDAP operation. */
  readonly timeoutMs: number;
  /** How long a user's groups are served from memory without asking the directory. 0 disables the cache. */
  readonly cacheTtlSeconds: number;
  /** Extra TLS options for `ldaps://` and StartTLS, such as a private `ca`. */
  readonly tlsOptions?: ConnectionOptions;
  /** How many levels of group nesting are followed. Default 10. */
  readonly maxNestingDepth?: number;
  /** Cached users kept at most; the least recently used go first. Default 10 000. */
  readonly maxCacheEntries?: number;
  /** Milliseconds since the epoch; injectable for tests. */
  readonly now?: () => number;
  readonly logger?: DirectoryLogger;
}

// The directory could not answer and nothing fresh is cached (S20); declared in the one error module.
import { describeError, DirectoryUnavailableError } from '../errors.js';
import { inSpan, SpanKind } from '../observability/tracing.js';
export { DirectoryUnavailableError };

/** Outcome of {@link LdapDirectory.check}, for the doctor and readiness. */
export type DirectoryCheck = { readonly ok: true } | { readonly ok: false; readonly detail: string };

/** The user filter when none is configured. */
export const DEFAULT_USER_FILTER = '(uid={username})';
/** The object classes of groups whose members this directory client reads (`member`, `uniqueMember`). */
const GROUP_FILTER = '(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)(objectClass=group))';
/** Group DNs per membership search, so a wide level of nesting does not make one huge filter. */
const BATCH = 50;

/**
 * Why a user filter template cannot be used (no `{username}`, unbalanced
 * parentheses, not LDAP filter syntax), or undefined when it can.
 *
 * @example
 * userFilterProblem('(uid={username})') // undefined
 */
export function userFilterProblem(template: string): string | undefined {
  try {
    UserFilterTemplate.parse(template);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : 'it is not a valid LDAP filter';
  }
}

function values(entry: Entry, attribute: string): string[] {
  const key = Object.keys(entry).find((name) => name.toLowerCase() === attribute.toLowerCase());
  const value = key === undefined ? undefined : entry[key];
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((item) => (typeof item === 'string' ? item : item.toString('utf8')));
}

/**
 * Group membership from an LDAP directory (OpenLDAP, 389-ds, Active Directory).
 *
 * A user's groups are the `memberOf` values of the one entry the user filter finds,
 * plus the groups under `groupBase` whose `member` or `uniqueMember` is that entry,
 * plus, breadth-first, every group that contains one of those (nesting; cycles and
 * depth are bounded). Answers are cached per username for `cacheTtlSeconds`; within
 * that time the directory is not contacted. After it a fresh lookup is made, and
 * if that fails {@link DirectoryUnavailableError} is thrown: a failure never reads
 * as "no groups" (S20). Filters are ldapts filter objects whose values (the username,
 * group DNs) go to the directory as BER-encoded data, never as filter syntax; every
 * call is bounded by `timeoutMs`, and only error classes and codes are logged (S23).
 *
 * @example
 * const directory = new LdapDirectory({
 *   url: 'ldaps://ldap.corp.example', bindDn: 'cn=bff,ou=services,dc=corp,dc=example', bindPassword,
 *   userBase: 'ou=people,dc=corp,dc=example', groupBase: 'ou=groups,dc=corp,dc=example',
 *   startTls: false, timeoutMs: 3000, cacheTtlSeconds: 60,
 * });
 * const groups = await directory.groupsFor('alice'); // group DNs
 */
export class LdapDirectory {
  readonly #options: LdapDirectoryOptions;
  readonly #userFilter: UserFilterTemplate;
  readonly #now: () => number;
  readonly #groups: AnswerCache<readonly string[]>;
  readonly #tls: ConnectionOptions;
  readonly #ldaps: boolean;
  readonly #host: string;

  /**
   * Trusts its options: the `ldap` options' schema (`options/ldap.ts`) is where they are
   * checked (TLS in production, DN bases, a user filter with `{username}`, bounds).
   */
  constructor(options: LdapDirectoryOptions) {
    const url = new URL(options.url);
    const userFilter = options.userFilter ?? DEFAULT_USER_FILTER;
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    // Name the host for certificate checks; SNI must not carry an IP address (RFC 6066).
    this.#tls = { host, ...(isIP(host) ? {} : { servername: host }), ...options.tlsOptions };
    this.#ldaps = url.protocol === 'ldaps:';
    this.#host = host;
    this.#options = options;
    this.#userFilter = UserFilterTemplate.parse(userFilter);
    this.#now = options.now ?? Date.now;
    this.#groups = new AnswerCache({
      max: options.cacheTtlSeconds > 0 ? (options.maxCacheEntries ?? 10_000) : 0,
      now: this.#now,
      ask: (username) => this.#ask(username),
    });
  }

  /**
   * The DNs of the groups `username` belongs to, directly or through nesting, as the
   * directory spells them (compare them with `sameDn`). No groups when no entry, or
   * more than one, matches the username, and for a username that is not well-formed
   * Unicode (it would reach the directory as U+FFFD).
   *
   * @throws {DirectoryUnavailableError} when the directory cannot answer and no answer younger than the TTL is cached
   */
  async groupsFor(username: string): Promise<string[]> {
    if (username === '' || !this.#userFilter.canFill(username)) return [];
    return [...(await this.#groups.get(username))];
  }

  /**
   * Binds and reads both bases, for the doctor and readiness. `detail` names the
   * failing step and the error class or code, never the server's text or the secret.
   */
  async check(): Promise<DirectoryCheck> {
    let step = 'connect and bind';
    try {
      await this.#withClient('check', async (client) => {
        step = 'read user base';
        await client.search(this.#options.userBase, { scope: 'base', attributes: ['1.1'] });
        step = 'read group base';
        await client.search(this.#options.groupBase, { scope: 'base', attributes: ['1.1'] });
      });
      return { ok: true };
    } catch (error) {
      return { ok: false, detail: `${step}: ${describeError(error)}` };
    }
  }

  /**
   * The DNs of the groups under the group base (at most `limit`), for the doctor:
   * which roles of the role map some group of the directory can grant.
   *
   * @throws {DirectoryUnavailableError} when the directory cannot answer
   */
  async groupDns(limit = 5000): Promise<string[]> {
    try {
      return await this.#withClient('group_dns', async (client) => {
        const { searchEntries } = await client.search(this.#options.groupBase, { scope: 'sub', filter: GROUP_FILTER, attributes: ['1.1'], sizeLimit: limit });
        return searchEntries.map((entry) => entry.dn);
      });
    } catch (error) {
      throw new DirectoryUnavailableError({ cause: error });
    }
  }

  /** One lookup; concurrent ones for the same user share it, and its groups are kept for the TTL (see {@link AnswerCache}). */
  async #ask(username: string): Promise<Answer<readonly string[]>> {
    // The answer is as old as the moment it was asked for.
    const askedAt = this.#now();
    let groups: readonly string[];
    try {
      groups = await this.#withClient('groups', (client) => this.#lookup(client, this.#userFilter.fill(username)));
    } catch (error) {
      this.#options.logger?.warn('directory.unavailable', { error: describeError(error) });
      throw new DirectoryUnavailableError({ cause: error });
    }
    return { value: groups, keepMs: this.#options.cacheTtlSeconds * 1000 - (this.#now() - askedAt) };
  }

  /**
   * One connection for `work`, in a span `ldap.<operation>` when tracing is on: the server's
   * host and the operation, never the filter, the username or the bind DN.
   */
  #withClient<T>(operation: string, work: (client: Client) => Promise<T>): Promise<T> {
    return inSpan(
      `ldap.${operation}`,
      { 'bff.dependency': 'directory', 'bff.operation': operation, 'server.address': this.#host },
      () => this.#connected(work),
      SpanKind.CLIENT,
    );
  }

  async #connected<T>(work: (client: Client) => Promise<T>): Promise<T> {
    const { url, timeoutMs } = this.#options;
    // ldapts opens TLS from the first byte whenever tlsOptions is set, so only ldaps:// gets them here.
    const client = new Client({ url, timeout: timeoutMs, connectTimeout: timeoutMs, ...(this.#ldaps ? { tlsOptions: this.#tls } : {}) });
    try {
      if (this.#options.startTls) await client.startTLS(this.#tls);
      await client.bind(this.#options.bindDn, this.#options.bindPassword);
      return await work(client);
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }

  async #lookup(client: Client, filter: Filter): Promise<string[]> {
    // Two are enough to know the username is ambiguous; ldapts does not fail on the size limit it asked for.
    const { searchEntries } = await client.search(this.#options.userBase, {
      scope: 'sub',
      filter,
      attributes: ['memberOf'],
      sizeLimit: 2,
    });
    const [user, ...others] = searchEntries;
    if (!user) return [];
    if (others.length > 0) {
      this.#options.logger?.warn('directory.user_ambiguous', { entries: searchEntries.length });
      return [];
    }
    const found = new Map<string, string>();
    const add = (dn: string): boolean => {
      const key = isDn(dn) ? normalizeDn(dn) : dn;
      if (found.has(key)) return false;
      found.set(key, dn);
      return true;
    };
    const direct = [...values(user, 'memberOf'), ...(await this.#groupsContaining(client, [user.dn]))];
    let frontier = direct.filter(add);
    const maxDepth = this.#options.maxNestingDepth ?? 10;
    for (let depth = 0; frontier.length > 0; depth += 1) {
      if (depth >= maxDepth) {
        this.#options.logger?.warn('directory.nesting_truncated', { depth });
        break;
      }
      frontier = (await this.#groupsContaining(client, frontier)).filter(add);
    }
    return [...found.values()];
  }

  /** Groups under the group base with any of `dns` as `member` or `uniqueMember`. */
  async #groupsContaining(client: Client, dns: readonly string[]): Promise<string[]> {
    const groups: string[] = [];
    for (let start = 0; start < dns.length; start += BATCH) {
      const { searchEntries } = await client.search(this.#options.groupBase, {
        scope: 'sub',
        filter: memberFilter(dns.slice(start, start + BATCH)),
        attributes: ['1.1'],
      });
      groups.push(...searchEntries.map((entry) => entry.dn));
    }
    return groups;
  }
}
