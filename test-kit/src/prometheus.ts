import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './ports.js';
import { requireProgram, startProcess, stopProcess } from './processes.js';

const READY_WITHIN_MS = 20_000;

/** One series of an instant query's answer: its labels and its value. */
export interface Sample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A real Prometheus (Debian's `prometheus`) on a free loopback port, scraping the targets it was started with. */
export interface PrometheusServer {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** An instant query through the HTTP API (`/api/v1/query`). */
  query(promql: string): Promise<Sample[]>;
  /**
   * Queries until `accept` holds for the answer (each scrape brings new samples), then returns it.
   * @throws with the last answer when it does not hold within `timeoutMs`.
   */
  waitFor(promql: string, accept: (samples: Sample[]) => boolean, timeoutMs?: number): Promise<Sample[]>;
  /** A GET of the HTTP API (`/api/v1/<path>`), its `data`. */
  api(path: string): Promise<unknown>;
  stop(): Promise<void>;
}

export interface PrometheusOptions {
  /** `host:port` of each target, scraped at `/metrics` as one job. */
  readonly targets: readonly string[];
  readonly job?: string;
  readonly scrapeIntervalSeconds?: number;
  /** Rule files (absolute paths) to load, as a deployment would. */
  readonly ruleFiles?: readonly string[];
}

/**
 * Starts `prometheus --config.file=F --storage.tsdb.path=DIR --web.listen-address=127.0.0.1:PORT`
 * with a scrape configuration of its own in a temporary folder (removed by `stop()`), and waits
 * until it is ready.
 * @throws when `prometheus` is not installed (with the `apt-get` command) or does not start.
 */
export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusServer> {
  const program = requireProgram('prometheus', 'prometheus');
  const dir = mkdtempSync(join(tmpdir(), 'bff-prometheus-'));
  const interval = `${options.scrapeIntervalSeconds ?? 1}s`;
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global:',
      `  scrape_interval: ${interval}`,
      `  evaluation_interval: ${interval}`,
      ...(options.ruleFiles?.length ? ['rule_files:', ...options.ruleFiles.map((file) => `  - ${JSON.stringify(file)}`)] : []),
      'scrape_configs:',
      `  - job_name: ${JSON.stringify(options.job ?? 'bff')}`,
      '    static_configs:',
      `      - targets: [${options.targets.map((target) => JSON.stringify(target)).join(', ')}]`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = startProcess(program, [
    `--config.file=${config}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ]);
  let output = '';
  const keep = (chunk: string) => {
    output = (output + chunk).slice(-4000);
  };
  child.stdout?.setEncoding('utf8').on('data', keep);
  child.stderr?.setEncoding('utf8').on('data', keep);
  const stop = async () => {
    await stopProcess(child);
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + READY_WITHIN_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`prometheus exited while starting:\n${output}`);
    }
    const ready = await fetch(`${url}/-/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus was not ready within ${READY_WITHIN_MS} ms:\n${output}`);
    }
    await sleep(100);
  }

  const api = async (path: string): Promise<unknown> => {
    const response = await fetch(`${url}/api/v1/${path}`);
    const body = (await response.json()) as { status: string; data?: unknown; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.error ?? response.status}`);
    return body.data;
  };
  const query = async (promql: string): Promise<Sample[]> => {
    const data = (await api(`query?query=${encodeURIComponent(promql)}`)) as {
      resultType: string;
      result: Array<{ metric: Record<string, string>; value: [number, string] }>;
    };
    if (data.resultType !== 'vector') throw new Error(`prometheus ${promql}: a ${data.resultType}, not a vector`);
    return data.result.map(({ metric, value }) => ({ labels: metric, value: Number(value[1]) }));
  };
  return {
    url,
    query,
    api,
    waitFor: async (promql, accept, timeoutMs = 15_000) => {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const samples = await query(promql);
        if (accept(samples)) return samples;
        if (Date.now() > until)
          throw new Error(`prometheus: ${promql} did not reach the expected value within ${timeoutMs} ms; last answer: ${JSON.stringify(samples)}`);
        await sleep(250);
      }
    },
    stop,
  };
}
