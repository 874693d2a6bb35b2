/**
 * The URL a path names under a downstream API's base URL, or undefined when the path could
 * leave it: a `.` or `..` segment (also percent-encoded), an encoded slash or backslash
 * (which some servers decode into a separator after routing), a backslash, a NUL or an empty
 * segment (`//`, which a URL parser may read as an authority). Nothing is normalised into
 * something else: a suspicious path is refused, not repaired.
 *
 * @param path the part after the API's name, starting with `/` (or empty), with its query.
 */
export function resolveTarget(baseUrl: URL, path: string): URL | undefined {
  const queryAt = path.search(/[?#]/);
  const pathname = queryAt === -1 ? path : path.slice(0, queryAt);
  const rest = queryAt === -1 ? '' : path.slice(queryAt);
  if (rest.includes('#')) return undefined;
  if (pathname !== '' && !pathname.startsWith('/')) return undefined;
  if (/%(2f|5c|00)|\\|\0/i.test(pathname)) return undefined;
  const segments = pathname.split('/').slice(1);
  for (const [index, segment] of segments.entries()) {
    // A trailing slash is an empty last segment, which is fine; one in the middle is `//`.
    if (segment === '' && index < segments.length - 1) return undefined;
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return undefined;
    }
    if (decoded === '.' || decoded === '..') return undefined;
  }
  const basePath = baseUrl.pathname.replace(/\/$/, '');
  const target = new URL(`${basePath}${pathname}${rest}`, baseUrl.origin);
  if (target.origin !== baseUrl.origin || !(target.pathname === basePath || target.pathname.startsWith(`${basePath}/`) || basePath === '')) return undefined;
  return target;
}
