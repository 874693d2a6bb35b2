import dns, { type LookupAddress, type LookupOptions } from 'node:dns';

type Callback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * Makes `*.test` host names resolve to 127.0.0.1 in this process, as Chromium's
 * `--host-resolver-rules` does for the browser: the IdP and the API call each
 * other by their public names.
 */
export function resolveTestHostsToLoopback(): void {
  const original = dns.lookup.bind(dns) as (hostname: string, options: LookupOptions, callback: Callback) => void;
  const patched = (hostname: string, options: LookupOptions | number | Callback, callback?: Callback) => {
    const cb = (typeof options === 'function' ? options : callback) as Callback;
    const opts: LookupOptions = typeof options === 'object' ? options : typeof options === 'number' ? { family: options } : {};
    if (!hostname.endsWith('.test')) {
      original(hostname, opts, cb);
      return;
    }
    if (opts.all) cb(null, [{ address: '127.0.0.1', family: 4 }]);
    else cb(null, '127.0.0.1', 4);
  };
  (dns as { lookup: unknown }).lookup = patched;
}
