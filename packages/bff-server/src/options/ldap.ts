import { z } from 'zod';
import { isDn } from '../authz/dn.js';
import type { LdapConfig } from '../config/config.js';
import { isLoopbackHost } from '../config/topology.js';
import { DEFAULT_USER_FILTER, userFilterProblem } from '../directory/ldap-directory.js';
import { int, validAt, type OptionsContext } from './fields.js';
import { setting } from './issues.js';

const EXAMPLES = {
  bindDn: 'cn=bff,ou=services,dc=corp,dc=example',
  userBase: 'ou=people,dc=corp,dc=example',
  groupBase: 'ou=groups,dc=corp,dc=example',
} as const;

const dn = (example: string) =>
  z
    .string()
    .trim()
    .refine(isDn, { error: (issue) => `"${String(issue.input)}" is not a distinguished name (RFC 4514); write it like ${example}.` })
    .optional();

/** Set without a URL, these ask for a directory that is not there. */
const NEEDS_URL = ['bindDn', 'bindPassword', 'userBase', 'groupBase', 'userFilter'] as const;

/**
 * The LDAP directory that grants groups when access tokens carry none (`LDAP_*`); without
 * `url`, groups come from tokens only. These are the directory's only checks: `LdapDirectory`
 * trusts what passes them (S23: TLS outside localhost in production, a read-only service
 * account that never binds anonymously, RFC 4514 bases, a user filter with `{username}`).
 */
export function ldapOptions(context: OptionsContext) {
  return z
    .strictObject({
      url: z
        .string()
        .trim()
        .regex(/^ldaps?:\/\/[^\s/?#]+\/?$/, {
          error: 'must be an ldap:// or ldaps:// URL with a host and an optional port, e.g. ldaps://ldap.corp.example:636',
        })
        .optional(),
      /** Upgrade an `ldap://` connection with StartTLS before binding. */
      startTls: z.boolean({ error: 'must be true (upgrade ldap:// with StartTLS before binding) or false' }).default(false),
      /** The read-only service account. */
      bindDn: dn(EXAMPLES.bindDn),
      bindPassword: z.string().optional(),
      userBase: dn(EXAMPLES.userBase),
      /** `{username}` stands for the token's `preferred_username`, else its `sub` (RFC 4515-escaped). */
      userFilter: z
        .string()
        .trim()
        .superRefine((filter, ctx) => {
          const problem = userFilterProblem(filter);
          if (problem !== undefined)
            ctx.addIssue({
              code: 'custom',
              message: `${problem} Default: ${DEFAULT_USER_FILTER}; e.g. (&(objectClass=person)(sAMAccountName={username})) for Active Directory.`,
            });
        })
        .optional(),
      groupBase: dn(EXAMPLES.groupBase),
      /** Seconds a user's groups are reused; also how long roles keep working while the directory is down. */
      cacheTtlSeconds: int(0, 24 * 3600).default(300),
      /** Bounds the connection and every LDAP operation. */
      timeoutMs: int(100, 60_000).default(3000),
    })
    .superRefine(
      (ldap, ctx) => {
        const stray = NEEDS_URL.filter((key) => ldap[key] !== undefined && ldap[key].trim() !== '');
        if (ldap.url === undefined && stray.length > 0)
          ctx.addIssue({
            code: 'custom',
            path: ['url'],
            message: `is required when ${stray.map((key) => setting(`ldap.${key}`)).join(', ')} ${stray.length > 1 ? 'are' : 'is'} set: the directory to read groups from, e.g. ldaps://ldap.corp.example:636 (or unset ${stray.length > 1 ? 'them' : 'it'} to take groups from tokens only).`,
          });
      },
      { when: validAt('url') },
    )
    .superRefine(
      ({ url, startTls }, ctx) => {
        if (url?.startsWith('ldaps:') && startTls)
          ctx.addIssue({
            code: 'custom',
            path: ['startTls'],
            message: `is for ldap:// URLs; an ldaps:// connection is TLS from the start. Set ${setting('ldap.startTls', 'false')} or use an ldap:// URL.`,
          });
        const host = url ? /^ldaps?:\/\/(?:\[([^\]]+)\]|([^:/]+))/.exec(url) : null;
        const hostname = host?.[1] ?? host?.[2] ?? '';
        if (context.production && url?.startsWith('ldap:') && !startTls && !isLoopbackHost(hostname))
          ctx.addIssue({
            code: 'custom',
            path: ['url'],
            message: `must use ldaps:// or ${setting('ldap.startTls', 'true')} outside localhost in production: the bind password would cross the network in clear text (got an ldap:// URL to ${hostname}).`,
          });
      },
      { when: validAt('url', 'startTls') },
    )
    .superRefine(
      (ldap, ctx) => {
        if (ldap.url === undefined) return;
        for (const key of ['bindDn', 'userBase', 'groupBase'] as const) {
          if (!ldap[key]) ctx.addIssue({ code: 'custom', path: [key], message: `is required with ${setting('ldap.url')}, e.g. ${EXAMPLES[key]}.` });
        }
        // An empty password would make the bind anonymous (RFC 4513 §5.1.2) and read whatever anonymous users may.
        if (!ldap.bindPassword)
          ctx.addIssue({
            code: 'custom',
            path: ['bindPassword'],
            message: `is required with ${setting('ldap.url')}: the password of ${setting('ldap.bindDn')}, the read-only service account.`,
          });
      },
      // A malformed value is named by its own rule, and is not missing.
      { when: validAt('url') },
    )
    .transform(({ url, bindDn, bindPassword, userBase, groupBase, userFilter, ...rest }): LdapConfig | undefined => {
      // The rules above refuse a URL without any of these.
      if (url === undefined || !bindDn || !bindPassword || !userBase || !groupBase) return undefined;
      return { url, bindDn, bindPassword, userBase, groupBase, userFilter: userFilter ?? DEFAULT_USER_FILTER, ...rest };
    });
}

export type LdapOptions = z.input<ReturnType<typeof ldapOptions>>;
