import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SERVERS } from './catalog.js';
import { startBenchStack, type BenchStack } from './bench-stack.js';
import { ChildServer } from './child-server.js';
import { LoadGenerator } from './load/load-generator.js';
import { childOptions, loadTarget, sessionCookie } from './measure.js';
import { summarizeProfile, type CpuProfile } from './profile/summarize.js';

const USAGE = `Usage: npm run profile -w bench -- [--server guarded-me] [--seconds 10] [--connections 32] [--interval-us 500]

Starts one server alone, signs in, warms it up, then CPU-profiles its main thread
during a load and prints where the time went. The .cpuprofile lands in
bench/results/profiles/ (open it in Chrome DevTools or speedscope for a flame graph).`;

const { values } = parseArgs({
  options: {
    server: { type: 'string', default: 'guarded-me' },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    'interval-us': { type: 'string', default: '500' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const spec = SERVERS.find((s) => s.id === values.server);
if (!spec) throw new Error(`unknown server ${values.server}; known: ${SERVERS.map((s) => s.id).join(', ')}`);

let stack: BenchStack | undefined;
let load: LoadGenerator | undefined;
let server: ChildServer | undefined;
try {
  [stack, load] = await Promise.all([startBenchStack(), LoadGenerator.start()]);
  server = await ChildServer.start(spec.id, spec.entry, childOptions(spec, stack), { env: { NODE_ENV: 'production' } });
  const cookie = await sessionCookie(spec, stack, server.port);
  const { url, headers } = loadTarget(spec, server.port, cookie);
  const connections = Number(values.connections);
  await load.run({ url, headers, connections, seconds: 3 });

  const dir = fileURLToPath(new URL('../results/profiles/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const path = `${dir}${spec.id}-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`;
  const before = await server.stats();
  await server.request('profile-start', { intervalUs: Number(values['interval-us']) });
  const result = await load.run({ url, headers, connections, seconds: Number(values.seconds) });
  await server.request('profile-stop', { path });
  const after = await server.stats();

  const processCpuMs = (after.cpuUs - before.cpuUs) / 1000;
  const summary = summarizeProfile(JSON.parse(readFileSync(path, 'utf8')) as CpuProfile, { processCpuMs, requests: result.requests });
  const failed = result.non2xx + result.errors + result.timeouts;
  const text = [
    `${spec.id}: ${result.requestsPerSecond.toFixed(0)} req/s under the profiler, p50 ${result.latencyMs.p50.toFixed(2)} ms, ` +
      `p99 ${result.latencyMs.p99.toFixed(2)} ms, ${((processCpuMs * 1000) / Math.max(1, result.requests)).toFixed(0)} µs CPU/request` +
      (failed ? `, ${failed} FAILED requests ${JSON.stringify(result.statusCodes)}` : ''),
    summary,
    '',
    `profile: ${path}`,
  ].join('\n');
  writeFileSync(path.replace(/\.cpuprofile$/, '.txt'), `${text}\n`);
  process.stdout.write(`${text}\n`);
  process.exitCode = failed ? 1 : 0;
} finally {
  await Promise.allSettled([server?.stop(), load?.stop(), stack?.close()]);
}
