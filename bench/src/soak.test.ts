import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const BUILT = ['../../server/dist/index.js', '../../test-kit/dist/index.js'].map((path) => new URL(path, import.meta.url));

describe('soak (the short one; npm run soak for 100,000 calls and 5,000 streams)', () => {
  it('keeps memory and handles flat over 5,000 calls and 300 streams opened and dropped, with no unexpected error', async () => {
    const missing = BUILT.filter((url) => !existsSync(url));
    if (missing.length > 0) throw new Error(`not built: ${missing.map((u) => u.pathname).join(', ')}; run: npm run build (npm test builds them first)`);
    const { QUICK_SOAK, formatReport, runSoak } = await import('./soak/run-soak.js');
    const report = await runSoak(QUICK_SOAK);
    const failed = report.checks.filter((c) => !c.ok);
    expect(failed, formatReport(report)).toEqual([]);
    expect(report.load.errors).toEqual({});
    expect(report.load.calls + (report.load.refused['call 429'] ?? 0)).toBe(QUICK_SOAK.calls);
    expect(report.load.streamsDropped + report.load.streamsDroppedEarly + (report.load.refused['stream 429'] ?? 0)).toBe(QUICK_SOAK.streams);
  }, 120_000);
});
