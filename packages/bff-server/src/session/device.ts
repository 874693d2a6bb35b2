/**
 * Browser and OS families from a User-Agent, for the "signed-in devices" list: what a
 * person recognises ("Firefox on Windows"), nothing more. Hand-written because a dozen
 * families are all we show; a full parser (ua-parser-js, ~18 KB) would detect versions
 * and devices we deliberately do not store.
 */
export function deviceOf(userAgent: string | undefined): { browser: string; os: string } {
  const ua = userAgent ?? '';
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /OPR\//.test(ua)
      ? 'Opera'
      : /Firefox\//.test(ua)
        ? 'Firefox'
        : /(Chrome|Chromium|HeadlessChrome)\//.test(ua)
          ? 'Chrome'
          : /Safari\//.test(ua)
            ? 'Safari'
            : ua
              ? 'Other browser'
              : 'Unknown browser';
  const os = /Windows/.test(ua)
    ? 'Windows'
    : /(iPhone|iPad|iPod)/.test(ua)
      ? 'iOS'
      : /Mac OS X|Macintosh/.test(ua)
        ? 'macOS'
        : /Android/.test(ua)
          ? 'Android'
          : /CrOS/.test(ua)
            ? 'ChromeOS'
            : /Linux/.test(ua)
              ? 'Linux'
              : 'Unknown OS';
  return { browser, os };
}
