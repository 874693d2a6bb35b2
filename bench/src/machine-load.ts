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
