import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeFixture, VALID_EXPERIMENT, writeExperiment } from './experiment-fixture.ts';

// Usage errors of `rebound run`: each must exit 2 before any process starts.

const root = resolve(import.meta.dirname, '../..');
const dir = makeFixture();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeExperiment(dir, VALID_EXPERIMENT, 'good.yaml');

function rebound(...args: string[]) {
  const result = spawnSync('node', [join(root, 'bin/rebound.js'), ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('rebound run usage', () => {
  it('rejects the docker runtime until it exists', () => {
    const { code, stderr } = rebound(
      'run',
      'good.yaml',
      '--runtime',
      'docker',
      '--report-dir',
      'out',
    );
    expect(stderr).toBe('error the docker runtime is not available yet; use --runtime process\n');
    expect(code).toBe(2);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('rejects an invalid trial count', () => {
    const { code, stderr } = rebound('run', 'good.yaml', '--trials', '0');
    expect(stderr).toBe('error invalid --trials "0": expected a whole number of 1 or more\n');
    expect(code).toBe(2);
  });

  it('rejects --fail-on-regression without a baseline', () => {
    const { code, stderr } = rebound('run', 'good.yaml', '--fail-on-regression');
    expect(stderr).toBe('error --fail-on-regression needs --baseline <scorecard.json>\n');
    expect(code).toBe(2);
  });

  it('prints every problem of every file and runs nothing', () => {
    writeExperiment(dir, VALID_EXPERIMENT.replace('rate: 20', 'rate: fast'), 'bad-rate.yaml');
    writeExperiment(dir, VALID_EXPERIMENT.replace('at: 5s', 'at: soon'), 'bad-at.yaml');
    const { code, stderr } = rebound('run', 'bad-rate.yaml', 'bad-at.yaml', '--report-dir', 'out');
    expect(stderr.split('\n')).toEqual([
      'error bad-rate.yaml:9:9 load.rate: expected requests per second, a number greater than 0',
      'error bad-at.yaml:27:9 faults[0].at: expected a duration such as 500ms, 10s or 2m (units: ms, s, m, h)',
      'error 2 problem(s); nothing was run',
      '',
    ]);
    expect(code).toBe(2);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});
