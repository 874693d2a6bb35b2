// Fails when the JavaScript a first visit must download before the app can start
// (every script and modulepreload in index.html) is over the budget, gzipped.
// Usage: node scripts/check-initial-size.mjs [limitBytes]
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

// 80 KB, not the 60 KB first asked for: Angular 21 with the router and one empty lazy
// route already weighs 61,410 bytes gzipped (measured), before the tRPC client (~7.5 KB)
// and the app shell. The app measured 77.7 KB when this was set; the headroom is for
// small changes, not for a new dependency in the initial bundle.
const DEFAULT_LIMIT_BYTES = 80 * 1024;

const browserDir = resolve(dirname(fileURLToPath(import.meta.url)), '../dist/client/browser');
const limit = Number(process.argv[2] ?? DEFAULT_LIMIT_BYTES);
if (!Number.isInteger(limit) || limit <= 0) {
  console.error(`check-initial-size: the limit must be a positive number of bytes, not "${process.argv[2]}"`);
  process.exit(2);
}

let html;
try {
  html = readFileSync(join(browserDir, 'index.html'), 'utf8');
} catch {
  console.error(`check-initial-size: ${join(browserDir, 'index.html')} not found; run "ng build" first`);
  process.exit(2);
}

const files = new Set();
for (const [tag] of html.matchAll(/<(?:script|link)\b[^>]*>/gi)) {
  const isScript = /^<script/i.test(tag);
  const isPreload = /\brel=["']?modulepreload\b/i.test(tag);
  const url = tag.match(isScript ? /\bsrc=["']?([^"'\s>]+)/i : /\bhref=["']?([^"'\s>]+)/i)?.[1];
  if (url && (isScript || isPreload) && !/^[a-z]+:|^\/\//i.test(url)) files.add(url.replace(/^\.?\//, ''));
}
if (files.size === 0) {
  console.error('check-initial-size: index.html loads no JavaScript; is this the right build?');
  process.exit(2);
}

let total = 0;
for (const file of [...files].sort()) {
  const gzipped = gzipSync(readFileSync(join(browserDir, file))).length;
  total += gzipped;
  console.log(`  ${file.padEnd(28)} ${(gzipped / 1024).toFixed(1).padStart(6)} KB gzip`);
}
const verdict = total <= limit ? 'within' : 'OVER';
console.log(
  `Initial JavaScript: ${total} bytes gzip (${(total / 1024).toFixed(1)} KB), ${verdict} the ${limit}-byte budget (${(limit / 1024).toFixed(1)} KB).`,
);
process.exit(total <= limit ? 0 : 1);
