import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The parts of a V8 `.cpuprofile` the summary reads. */
export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
    readonly children?: readonly number[];
  }[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

interface Frame {
  readonly name: string;
  readonly url: string;
  readonly line: number;
  readonly parent: number | undefined;
}

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

/** Packages that make up Express 5 and its per-request helpers. */
const EXPRESS_FAMILY = new Set([
  'express',
  'router',
  'body-parser',
  'finalhandler',
  'send',
  'serve-static',
  'type-is',
  'content-type',
  'mime-types',
  'mime-db',
  'accepts',
  'negotiator',
  'on-finished',
  'parseurl',
  'qs',
  'proxy-addr',
  'forwarded',
  'ipaddr.js',
  'fresh',
  'etag',
  'depd',
  'encodeurl',
  'escape-html',
  'range-parser',
  'statuses',
  'http-errors',
  'path-to-regexp',
  'merge-descriptors',
  'utils-merge',
  'content-disposition',
  'cookie-signature',
  'debug',
  'ms',
  'raw-body',
  'iconv-lite',
  'bytes',
  'unpipe',
  'is-promise',
  'media-typer',
]);

/** The package a script belongs to, or the part of this repository it is in. */
export function layerOf(url: string): string | undefined {
  if (!url) return undefined;
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) {
    const pkg = modules[1] ?? '';
    if (pkg === 'cookie-parser' || pkg === 'cookie') return 'cookie parsing (cookie-parser, cookie)';
    if (pkg === 'cors' || pkg === 'vary' || pkg === 'object-assign') return 'cors';
    if (EXPRESS_FAMILY.has(pkg)) return 'express (+ its helpers)';
    return pkg;
  }
  const repo = /\/(server|shared|bench)\/src\/(.+)$/.exec(url);
  if (repo) return repo[1] === 'server' ? `server/src/${repo[2] ?? ''}` : `${repo[1] ?? ''}/src`;
  if (url.startsWith('node:') || !url.includes('/')) return undefined;
  return url;
}

function short(url: string): string {
  if (!url) return '(native)';
  const modules = /node_modules\/(.*)$/.exec(url);
  if (modules) return modules[1] ?? url;
  const repo = /\/((?:server|shared|bench)\/src\/.*)$/.exec(url);
  return repo?.[1] ?? url.replace(/^file:\/\//, '');
}

const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1).padStart(5)} %`;

/**
 * Where the main thread's time went, three ways: by layer (each sample charged to
 * the deepest library or repository frame on its stack, so that Node internals
 * and natives count for whoever called them), by function self time, and by
 * function inclusive time.
 */
export function summarizeProfile(profile: CpuProfile, options: { top?: number; processCpuMs?: number; requests?: number } = {}): string {
  const top = options.top ?? 25;
  const frames = new Map<number, Frame>();
  for (const node of profile.nodes) {
    frames.set(node.id, {
      name: node.callFrame.functionName || '(anonymous)',
      url: node.callFrame.url,
      line: node.callFrame.lineNumber + 1,
      parent: undefined,
    });
  }
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) {
      const frame = frames.get(child);
      if (frame) frames.set(child, { ...frame, parent: node.id });
    }
  }

  const byLayer = new Map<string, number>();
  const bySelf = new Map<string, number>();
  const byInclusive = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us);
  let total = 0;
  let idle = 0;
  let gc = 0;
  let program = 0;

  profile.samples.forEach((nodeId, i) => {
    const us = profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0;
    const leaf = frames.get(nodeId);
    if (!leaf) return;
    total += us;
    if (leaf.name === '(idle)') return void (idle += us);
    if (leaf.name === '(garbage collector)') return void (gc += us);
    if (leaf.name === '(program)') return void (program += us);
    add(bySelf, `${leaf.name}  ${short(leaf.url)}${leaf.url ? `:${leaf.line}` : ''}`, us);
    let layer: string | undefined;
    let sawNode = false;
    const seen = new Set<string>();
    for (let id: number | undefined = nodeId; id !== undefined; id = frames.get(id)?.parent) {
      const frame = frames.get(id);
      if (!frame || SPECIAL.has(frame.name)) continue;
      layer ??= layerOf(frame.url);
      if (frame.url.startsWith('node:')) sawNode = true;
      const key = `${frame.name}  ${short(frame.url)}${frame.url ? `:${frame.line}` : ''}`;
      if (!seen.has(key)) {
        seen.add(key);
        add(byInclusive, key, us);
      }
    }
    add(byLayer, layer ?? (sawNode ? 'node core (http, net, streams, timers)' : 'native, no JS caller'), us);
  });

  const busy = total - idle;
  const lines: string[] = [];
  lines.push(
    `profile: ${(total / 1000).toFixed(0)} ms sampled; main thread busy ${pct(busy, total)} (GC ${pct(gc, total)}, V8/other "(program)" ${pct(program, total)})`,
  );
  if (options.processCpuMs !== undefined) {
    const offMain = options.processCpuMs - busy / 1000;
    lines.push(
      `process CPU ${options.processCpuMs.toFixed(0)} ms vs main-thread busy ${(busy / 1000).toFixed(0)} ms: ` +
        `${offMain.toFixed(0)} ms (${pct(Math.max(0, offMain), options.processCpuMs).trim()}) ran on other threads ` +
        `(libuv pool: WebCrypto verify; V8: concurrent GC/compiler), invisible below`,
    );
  }
  const perRequest = (us: number) => (options.requests ? `${(us / options.requests).toFixed(0).padStart(5)} µs/req  ` : '');
  const section = (title: string, map: Map<string, number>, base: number, count: number) => {
    lines.push('', title);
    for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, count)) lines.push(`  ${pct(us, base)}  ${perRequest(us)}${key}`);
  };
  if (options.requests) {
    lines.push(`main thread: ${perRequest(busy).trim()} busy, of which GC ${perRequest(gc).trim()}, "(program)" ${perRequest(program).trim()}`);
  }
  section('by layer (% of busy main thread; Node internals and natives charged to their JS caller)', byLayer, busy, 30);
  section(`top ${top} functions by self time (% of busy)`, bySelf, busy, top);
  section(`top ${top} functions by inclusive time (% of busy)`, byInclusive, busy, top);
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: tsx src/profile/summarize.ts <file.cpuprofile>\n');
    process.exit(2);
  }
  process.stdout.write(`${summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile)}\n`);
}
