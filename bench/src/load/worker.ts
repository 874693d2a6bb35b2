import autocannon from 'autocannon';
import { answerRequests, type IpcMessage } from '../ipc.js';
import { percentile } from '../stats.js';
import type { LoadRequest, LoadResult } from './load-result.js';

/** Grows as responses arrive; one run at 30k req/s for 10 s is 300k doubles. */
class Samples {
  #values = new Float64Array(1 << 16);
  #length = 0;

  push(value: number): void {
    if (this.#length === this.#values.length) {
      const bigger = new Float64Array(this.#values.length * 2);
      bigger.set(this.#values);
      this.#values = bigger;
    }
    this.#values[this.#length++] = value;
  }

  sorted(): Float64Array {
    return this.#values.slice(0, this.#length).sort();
  }
}

function run(request: LoadRequest): Promise<LoadResult> {
  const latencies = new Samples();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      { url: request.url, headers: { ...request.headers }, connections: request.connections, duration: request.seconds, timeout: 10 },
      (error, result) => {
        if (error) {
          reject(error);
          return;
        }
        const seconds = (performance.now() - started) / 1000;
        const cpu = process.cpuUsage(cpuBefore);
        const sorted = latencies.sorted();
        const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]));
        const requests = Object.values(statusCodes).reduce((a, b) => a + b, 0);
        resolve({
          requestsPerSecond: requests / result.duration,
          requests,
          seconds: result.duration,
          latencyMs: {
            p50: percentile(sorted, 0.5),
            p99: percentile(sorted, 0.99),
            p999: percentile(sorted, 0.999),
            mean: sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length),
            max: sorted.length ? (sorted[sorted.length - 1] ?? 0) : 0,
          },
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          statusCodes,
          generatorCpu: (cpu.user + cpu.system) / 1e6 / seconds,
        });
      },
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
}

answerRequests({ run: (message: IpcMessage) => run(message['load'] as LoadRequest), stop: () => process.exit(0) });
process.on('disconnect', () => process.exit(0));
process.send?.({ type: 'ready', port: 0 });
