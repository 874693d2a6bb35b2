import { writeFile } from 'node:fs/promises';
import { createServer, type RequestListener } from 'node:http';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import { answerRequests, type RequestHandler } from '../ipc.js';

/** Environment variable through which the bench hands a server child its options (JSON). */
export const OPTIONS_VARIABLE = 'BENCH_SERVER_OPTIONS';

/** What a server child reports about itself. */
export interface ProcessStats {
  /** Resident set size now, bytes. */
  readonly rss: number;
  /** Peak resident set size, bytes. */
  readonly maxRss: number;
  /** CPU time of the whole process (all threads), microseconds. */
  readonly cpuUs: number;
}

/** The options the bench passed to this child. */
export function serverOptions<T extends object>(): T {
  return JSON.parse(process.env[OPTIONS_VARIABLE] ?? '{}') as T;
}

/** Process statistics, answered to the `stats` request. */
export function processStats(): ProcessStats {
  const cpu = process.cpuUsage();
  return { rss: process.memoryUsage.rss(), maxRss: process.resourceUsage().maxRSS * 1024, cpuUs: cpu.user + cpu.system };
}

/**
 * Samples this process's main thread between `profile-start` and `profile-stop`
 * (which writes the `.cpuprofile` to the path it is given), so that a profile
 * covers the load only, not start-up and sign-in.
 */
export function profiler(): Record<string, RequestHandler> {
  let session: Session | undefined;
  return {
    'profile-start': async (message) => {
      session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: Number(message['intervalUs'] ?? 200) });
      await session.post('Profiler.start');
      return {};
    },
    'profile-stop': async (message) => {
      if (!session) throw new Error('no profile under way');
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      session = undefined;
      await writeFile(String(message['path']), JSON.stringify(profile));
      return {};
    },
  };
}

/**
 * Runs a bench server child: listens on loopback, tells the parent its port,
 * answers `stats`, `notes` (anything worth recording with the run; `extra`
 * may override it) and the profiler's requests, and exits cleanly on `stop`, SIGTERM or a lost parent
 * (a clean exit is what lets `--cpu-prof` write its profile).
 */
export async function serve(listener: RequestListener, options: { port?: number; extra?: Readonly<Record<string, RequestHandler>> } = {}): Promise<void> {
  const server = createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const exit = () => {
    server.closeAllConnections();
    process.exit(0);
  };
  answerRequests({ stats: () => processStats(), notes: () => ({}), stop: exit, ...profiler(), ...options.extra });
  process.on('SIGTERM', exit);
  process.on('disconnect', exit);
  process.send?.({ type: 'ready', port: (server.address() as AddressInfo).port });
}
