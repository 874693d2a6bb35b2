import { BlockList, isIP } from 'node:net';
import { z } from 'zod';
import type { OptionsContext } from '../options/fields.js';
import { setting } from '../options/issues.js';

/** Express `trust proxy`: off, a hop count, or a comma-separated list of addresses, CIDR ranges and named sets. */
export type TrustProxy = boolean | number | string;

/** Express's named address sets (proxy-addr), e.g. `TRUST_PROXY=loopback`. */
const NAMED_SETS = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** More proxies than any deployment puts in front of one API; a larger count trusts what the client writes. */
const MAX_HOPS = 10;

/**
 * The widest ranges a proxy network needs are the private ones, 10.0.0.0/8 and fc00::/7;
 * a wider range takes in client addresses of the internet as proxies.
 */
const MIN_PREFIX = { ipv4: 8, ipv6: 7 } as const;

/** What to set instead of a `TRUST_PROXY` that lets clients choose their address. */
export const TRUST_PROXY_FIX =
  'set TRUST_PROXY to the number of proxies in front of the API (e.g. 1 for one load balancer) or to their addresses (e.g. 10.0.0.0/8, or loopback).';

const IPV4_MAPPED = new BlockList();
IPV4_MAPPED.addSubnet('::ffff:0:0', 96, 'ipv6');

type Entry = { readonly named: string } | { readonly address: string; readonly prefix: number; readonly family: 'ipv4' | 'ipv6' };

/**
 * The `trustProxy` option (`TRUST_PROXY`): `false` (or unset), a hop count from 0 to 10, or
 * IP addresses, CIDR ranges and the named sets `loopback`, `linklocal`, `uniquelocal` (a list,
 * or one comma-separated string; a string also reads `true`, `false` and hop counts).
 * A setting that trusts every hop or a large part of the internet ({@link trustProxyRisk})
 * is refused in production: Express would take the client address from the left-most
 * `X-Forwarded-For` entry, which the client writes, and per-address rate limits would key
 * on whatever the client chooses.
 *
 * Its output is the value for Express's `trust proxy` (a list normalised to `a,b`).
 * @see https://expressjs.com/en/guide/behind-proxies.html
 */
export function trustProxyOption(context: OptionsContext) {
  return z
    .union([z.boolean(), z.number(), z.string(), z.array(z.string()).readonly()], {
      error: 'must be false, a hop count or a list of proxy addresses',
    })
    .default(false)
    .transform((input, ctx): TrustProxy => {
      const value = parse((Array.isArray(input) ? input.join(',') : String(input)).trim());
      if (typeof value === 'object') {
        ctx.addIssue({ code: 'custom', message: value.problem });
        return z.NEVER;
      }
      const risk = trustProxyRisk(value);
      if (context.production && risk !== undefined) ctx.addIssue({ code: 'custom', message: `${risk} It is refused in production: ${TRUST_PROXY_FIX}` });
      return value;
    });
}

/**
 * Why a `trust proxy` value lets a client choose its own address (every hop trusted, or
 * a range wider than the private ranges), or undefined when it does not.
 */
export function trustProxyRisk(value: TrustProxy): string | undefined {
  if (value === true)
    return 'TRUST_PROXY=true trusts every hop, so the client address is the left-most X-Forwarded-For entry, which the client writes itself: the sign-in rate limit then counts whatever address the client chooses.';
  if (typeof value !== 'string') return undefined;
  const broad = value.split(',').filter((note) => {
    const entry = parseEntry(note);
    return entry !== undefined && 'address' in entry && tooBroad(entry);
  });
  if (broad.length === 0) return undefined;
  return `TRUST_PROXY trusts ${broad.join(', ')} as proxies: wider than the private ranges 10.0.0.0/8 and fc00::/7, it takes in client addresses, so clients can write the address the API sees in X-Forwarded-For.`;
}

function parse(raw: string): TrustProxy | { readonly problem: string } {
  const lower = raw.toLowerCase();
  if (lower === '' || lower === 'false') return false;
  if (lower === 'true') return true;
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    if (hops > MAX_HOPS)
      return {
        problem: `a hop count is 0 to ${MAX_HOPS}: the proxies between the internet and the API (got ${raw}); more hops than proxies trusts what the client writes.`,
      };
    return hops === 0 ? false : hops;
  }
  const notes = raw
    .split(',')
    .map((note) => note.trim())
    .filter(Boolean);
  const invalid = notes.filter((note) => parseEntry(note) === undefined);
  if (invalid.length > 0)
    return {
      problem: `${invalid.map((note) => `"${note}"`).join(', ')} ${invalid.length > 1 ? 'are' : 'is'} not an IP address, a CIDR range or one of ${[...NAMED_SETS].join(', ')}; write a hop count (e.g. ${setting('trustProxy', '1')}) or a list such as ${setting('trustProxy', 'loopback,10.0.0.0/8')}.`,
    };
  if (notes.length === 0) return { problem: `list a hop count (e.g. 1) or proxy addresses (e.g. loopback,10.0.0.0/8).` };
  return notes.map((note) => (NAMED_SETS.has(note.toLowerCase()) ? note.toLowerCase() : note)).join(',');
}

/** One entry of the list, in the forms proxy-addr compiles: a named set, an address, or `address/prefix`. */
function parseEntry(note: string): Entry | undefined {
  const trimmed = note.trim();
  if (NAMED_SETS.has(trimmed.toLowerCase())) return { named: trimmed.toLowerCase() };
  const slash = trimmed.indexOf('/');
  const address = slash === -1 ? trimmed : trimmed.slice(0, slash);
  // A zone (fe80::1%eth0) names an interface of this machine, never a proxy's address in X-Forwarded-For.
  const version = address.includes('%') ? 0 : isIP(address);
  if (version === 0) return undefined;
  const family = version === 4 ? 'ipv4' : 'ipv6';
  const max = version === 4 ? 32 : 128;
  if (slash === -1) return { address, prefix: max, family };
  const prefixText = trimmed.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  // proxy-addr refuses /0 as well: it would be every address.
  if (prefix < 1 || prefix > max) return undefined;
  return { address, prefix, family };
}

function tooBroad(entry: { readonly address: string; readonly prefix: number; readonly family: 'ipv4' | 'ipv6' }): boolean {
  if (entry.family === 'ipv4') return entry.prefix < MIN_PREFIX.ipv4;
  // proxy-addr compares IPv4 clients with IPv6 ranges through their IPv4-mapped form (::ffff:a.b.c.d).
  if (IPV4_MAPPED.check(entry.address, 'ipv6')) return entry.prefix - 96 < MIN_PREFIX.ipv4;
  if (entry.prefix < MIN_PREFIX.ipv6) return true;
  const range = new BlockList();
  range.addSubnet(entry.address, entry.prefix, 'ipv6');
  return range.check('::ffff:0:0', 'ipv6');
}
