import type { LoginBucket, ProcedureStats } from '@bff/shared';

/** Drawing area of both charts, in SVG user units (the SVGs scale to their container). */
export const CHART_WIDTH = 720;

export interface AxisTick {
  readonly position: number;
  readonly label: string;
}

export interface ProcedureBar {
  readonly path: string;
  readonly calls: number;
  readonly errors: number;
  readonly y: number;
  readonly callsWidth: number;
  readonly errorsWidth: number;
}

export interface ProcedureChart {
  readonly height: number;
  readonly plotLeft: number;
  readonly plotWidth: number;
  readonly barHeight: number;
  readonly bars: readonly ProcedureBar[];
  readonly ticks: readonly AxisTick[];
}

export interface LoginColumn {
  readonly minute: string;
  readonly count: number;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface LoginChart {
  readonly height: number;
  readonly plotLeft: number;
  readonly plotTop: number;
  readonly plotHeight: number;
  readonly columns: readonly LoginColumn[];
  readonly yTicks: readonly AxisTick[];
  readonly xTicks: readonly AxisTick[];
}

/** The smallest of 1, 2, 5 × 10^n that is at least `value` (at least 1), for round axis ends. */
export function niceCeiling(value: number): number {
  if (value <= 1) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((s) => s * magnitude >= value) ?? 10;
  return step * magnitude;
}

/** Horizontal bars, one per procedure: calls, with the failed share drawn over them. */
export function layoutProcedureChart(procedures: readonly ProcedureStats[]): ProcedureChart {
  const plotLeft = 190;
  const plotWidth = CHART_WIDTH - plotLeft - 110;
  const rowHeight = 36;
  const barHeight = 20;
  const top = 8;
  const max = niceCeiling(Math.max(0, ...procedures.map((p) => p.calls)));
  const scale = (n: number) => (n / max) * plotWidth;
  return {
    height: top + procedures.length * rowHeight + 24,
    plotLeft,
    plotWidth,
    barHeight,
    bars: procedures.map((p, i) => ({
      path: p.path,
      calls: p.calls,
      errors: p.errors,
      y: top + i * rowHeight + (rowHeight - barHeight) / 2,
      callsWidth: scale(p.calls),
      errorsWidth: scale(Math.min(p.errors, p.calls)),
    })),
    ticks: [0, max / 2, max].map((value) => ({ position: plotLeft + scale(value), label: formatCount(value) })),
  };
}

/** One column per minute, oldest left; the x axis labelled every quarter of the window. */
export function layoutLoginChart(buckets: readonly LoginBucket[], formatMinute: (iso: string) => string): LoginChart {
  const plotLeft = 40;
  const plotTop = 10;
  const plotHeight = 140;
  const plotWidth = CHART_WIDTH - plotLeft - 10;
  const max = niceCeiling(Math.max(0, ...buckets.map((b) => b.count)));
  const slot = buckets.length > 0 ? plotWidth / buckets.length : plotWidth;
  const width = Math.max(1, slot * 0.7);
  const quarter = Math.max(1, Math.floor(buckets.length / 4));
  return {
    height: plotTop + plotHeight + 28,
    plotLeft,
    plotTop,
    plotHeight,
    columns: buckets.map((b, i) => {
      const height = (b.count / max) * plotHeight;
      return { minute: b.minute, count: b.count, x: plotLeft + i * slot + (slot - width) / 2, y: plotTop + plotHeight - height, width, height };
    }),
    yTicks: [0, max / 2, max].map((value) => ({ position: plotTop + plotHeight - (value / max) * plotHeight, label: formatCount(value) })),
    xTicks: buckets.flatMap((b, i) => (i % quarter === 0 ? [{ position: plotLeft + i * slot + slot / 2, label: formatMinute(b.minute) }] : [])),
  };
}

function formatCount(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
