import { getDomain } from 'tldts';

/**
 * How the front ends sit relative to the API, which decides what the session
 * cookie needs.
 *
 * - `same-origin`: one scheme, host and port (e.g. behind one reverse proxy).
 * - `same-site`: same scheme and registrable domain (`app.example.com` → `api.example.com`).
 * - `cross-site`: anything else (`app.example.com` → `api.other.com`); browsers treat the
 *   session cookie as a third-party cookie and many block it.
 *
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-httpbis-rfc6265bis#section-5.2
 */
export type Topology = 'same-origin' | 'same-site' | 'cross-site';

export type SameSite = 'strict' | 'lax' | 'none';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** True for host names that only ever mean this machine. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || hostname.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/**
 * True for names reserved for testing and documentation (RFC 2606, RFC 6761),
 * which never resolve on the public internet.
 */
export function isReservedDevHost(hostname: string): boolean {
  return isLoopbackHost(hostname) || /\.(test|example|invalid|localhost)$/.test(hostname);
}

/** The schemeful site of a URL: scheme plus registrable domain (public-suffix aware). */
export function siteOf(url: URL): string {
  const host = url.hostname;
  const registrable = isLoopbackHost(host) ? null : getDomain(host, { allowPrivateDomains: true });
  return `${url.protocol}//${registrable ?? host}`;
}

/** Classifies one front origin against the API URL. */
export function topologyOf(front: URL, api: URL): Topology {
  if (front.origin === api.origin) return 'same-origin';
  if (siteOf(front) === siteOf(api)) return 'same-site';
  return 'cross-site';
}

const RANK: Record<Topology, number> = { 'same-origin': 0, 'same-site': 1, 'cross-site': 2 };

/** The topology of a set of fronts is that of the least related one. */
export function overallTopology(fronts: readonly URL[], api: URL): Topology {
  return fronts.map((front) => topologyOf(front, api)).reduce<Topology>((worst, t) => (RANK[t] > RANK[worst] ? t : worst), 'same-origin');
}

/** The SameSite attribute the session cookie needs for a topology. */
export function sameSiteFor(topology: Topology): SameSite {
  return topology === 'cross-site' ? 'none' : 'lax';
}
