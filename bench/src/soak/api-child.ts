import { readdirSync } from 'node:fs';
import { writeHeapSnapshot } from 'node:v8';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { createApi, createLogger, loadConfig } from '@bff/server';
import { serve, serverOptions } from '../servers/serve.js';
import type { LogCounts, Reading, SoakApiOptions } from './readings.js';

const options = serverOptions<SoakApiOptions>();
const logCounts: Record<string, number> = {};

/** Counts a log line by kind. Production's logger and level, so every line is still serialised. */
function countLine(line: string): void {
  let kind: string;
  if (line.includes('"msg":"request"')) {
    const status = /"status":(\d)\d\d/.exec(line)?.[1];
    kind = `request ${status ?? '?'}xx`;
  } else {
    try {
      const parsed = JSON.parse(line) as { level?: string; event?: string; msg?: string; reason?: string };
      kind = [parsed.level, parsed.event ?? parsed.msg, parsed.reason].filter(Boolean).join(' ');
    } catch {
      kind = 'unparsable line';
    }
  }
  logCounts[kind] = (logCounts[kind] ?? 0) + 1;
}

/** Several passes: what one full collection frees can hold finalisers whose memory goes only at the next. */
async function read(): Promise<Reading> {
  const collect = globalThis.gc;
  if (!collect) throw new Error('the soak API child needs --expose-gc');
  for (let pass = 0; pass < 3; pass++) {
    collect();
    await nextTurn();
  }
  const memory = process.memoryUsage();
  const resourcesByKind: Record<string, number> = {};
  const resources = process.getActiveResourcesInfo();
  for (const kind of resources) resourcesByKind[kind] = (resourcesByKind[kind] ?? 0) + 1;
  let fds: number | undefined;
  try {
    fds = readdirSync('/proc/self/fd').length;
  } catch {
    fds = undefined;
  }
  return { rss: memory.rss, heapUsed: memory.heapUsed, external: memory.external, resources: resources.length, resourcesByKind, fds };
}

const logger = createLogger({ level: 'info', destination: { write: countLine } });
const api = await createApi(loadConfig(options.env), logger);
api.start();
await api.oidc.get();
await serve(api.handler, {
  port: options.port,
  extra: {
    read,
    logs: (): LogCounts => logCounts,
    // After a reading (its collections), so that the snapshot holds what the reading counted.
    snapshot: (message) => writeHeapSnapshot(String(message['path'])),
  },
});
