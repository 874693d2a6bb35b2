import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { requireProgram } from '@bff/test-kit';

/** The operations files of deploy/prometheus (scrape configuration, alert rules and their unit tests). */
const deploy = fileURLToPath(new URL('../../../../deploy/prometheus/', import.meta.url));

function promtool(...args: string[]): { status: number | null; output: string } {
  // Missing, this fails with the apt-get command that installs it (no test is skipped).
  const program = requireProgram('promtool', 'prometheus');
  const run = spawnSync(program, args, { cwd: deploy, encoding: 'utf8', timeout: 30_000 });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('deploy/prometheus, checked by promtool', () => {
  it('the alert rules are valid (promtool check rules)', () => {
    const checked = promtool('check', 'rules', 'alerts.yml');
    expect(checked.output).toContain('SUCCESS');
    expect(checked.status, checked.output).toBe(0);
  });

  it('the scrape configuration is valid and loads the rules (promtool check config)', () => {
    const checked = promtool('check', 'config', 'prometheus.yml');
    expect(checked.status, checked.output).toBe(0);
  });

  it('each alert fires when it should and not before (promtool test rules)', () => {
    const tested = promtool('test', 'rules', 'alerts.test.yml');
    expect(tested.status, tested.output).toBe(0);
  });
});
