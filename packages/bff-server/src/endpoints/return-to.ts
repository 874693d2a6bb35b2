/** Longest return URL kept, in characters, after normalisation. */
export const MAX_RETURN_TO_LENGTH = 2048;

/**
 * Resolves a requested `returnTo` to a URL on an allowed front origin, or to the
 * default front's home. Relative paths resolve against the default front. Anything
 * that would leave the allow-list (`//evil.example`, `https:evil.example`,
 * backslashes, control characters, other schemes) falls back home (S3).
 *
 * @example
 * safeReturnTo('/chat?x=1', ['https://app.example.com']) // 'https://app.example.com/chat?x=1'
 * safeReturnTo('//evil.example', ['https://app.example.com']) // 'https://app.example.com/'
 */
export function safeReturnTo(raw: unknown, frontOrigins: readonly string[]): string {
  const [home] = frontOrigins;
  if (!home) throw new Error('safeReturnTo needs at least one front origin');
  const fallback = `${home}/`;
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_RETURN_TO_LENGTH) return fallback;
  // Backslashes and control or space characters are never needed in a return URL and are how parsers get confused.
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
  if (/[\\\s\u0000-\u001f\u007f]/.test(raw)) return fallback;
  let url: URL;
  try {
    url = raw.startsWith('/') && !raw.startsWith('//') ? new URL(raw, home) : new URL(raw);
  } catch {
    return fallback;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return fallback;
  if (url.username || url.password) return fallback;
  // Percent-encoding can make the URL longer than what was given; the login cookie must stay small (S9).
  if (url.href.length > MAX_RETURN_TO_LENGTH) return fallback;
  return frontOrigins.includes(url.origin) ? url.href : fallback;
}
