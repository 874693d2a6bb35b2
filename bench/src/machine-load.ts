import { readFileSync } from 'node:fs';

/** Cumulative CPU ticks of the whole machine (Linux `/proc/stat`). */
export interface CpuTicks {
  readonly busy: number;
  readonly total: number;
}

/** The machine's CPU counters now, or undefined where `/proc/stat` does not exist. */
export function readCpuTicks(): CpuTicks | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal ...: idle and iowait are the not-busy ones.
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/** Busy cores of the whole machine between two readings; NaN when unknown. */
export function busyCores(before: CpuTicks | undefined, after: CpuTicks | undefined, cores: number): number {
  if (!before || !after || after.total === before.total) return Number.NaN;
  return ((after.busy - before.busy) / (after.total - before.total)) * cores;
}

/**
 * Waits, polling every `pollMs`, until the machine's busy cores fall below
 * `thresholdCores` (other jobs on a shared machine finished) or `budget.ms` runs
 * out; spends from `budget` so that a whole bench run waits a bounded time.
 * Returns the milliseconds waited.
 */
export async function waitForQuiet(budget: { ms: number }, thresholdCores: number, cores: number, pollMs = 500): Promise<number> {
  const started = performance.now();
  while (budget.ms > 0) {
    const before = readCpuTicks();
    if (!before) break;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    budget.ms -= pollMs;
    if (busyCores(before, readCpuTicks(), cores) < thresholdCores) break;
  }
  return performance.now() - started;
}
