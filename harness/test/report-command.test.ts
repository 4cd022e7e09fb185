import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReports } from '../src/report/write.ts';
import { buildScorecard } from '../src/score/build.ts';
import { event, outageUntil, record } from './score-timeline.ts';

const cli = new URL('../../bin/rebound.js', import.meta.url).pathname;

function rebound(...args: string[]) {
  const result = spawnSync(process.execPath, [cli, 'report', ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

let dir: string;
let current: string;
let baseline: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rebound-report-command-'));
  const scorecardWithTtd = (ttdMs: number, runId: string) =>
    buildScorecard([
      record({
        runId,
        samples: outageUntil(15_500),
        healerEvents: [event('detected', 12_000 + ttdMs, 'model')],
      }),
    ]);
  writeReports(scorecardWithTtd(3_000, 'run-now'), join(dir, 'now'), ['json']);
  writeReports(scorecardWithTtd(1_000, 'run-old'), join(dir, 'old'), ['json']);
  current = join(dir, 'now', 'scorecard.json');
  baseline = join(dir, 'old', 'scorecard.json');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('rebound report', { timeout: 30_000 }, () => {
  it('prints Markdown by default', () => {
    const { code, stdout } = rebound(current);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^# ✅ model-crash: passed/);
  });

  it('prints JUnit with --format junit', () => {
    const { code, stdout } = rebound(current, '--format', 'junit');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites /);
  });

  it('writes every format with --out', () => {
    const out = join(dir, 'rendered');
    const { code, stdout } = rebound(current, '--out', out);

    expect(code).toBe(0);
    expect(readdirSync(out).sort()).toEqual([
      'junit.xml',
      'scorecard.html',
      'scorecard.json',
      'scorecard.md',
    ]);
    expect(stdout).toContain(`wrote ${join(out, 'junit.xml')}`);
  });

  it('exits 2 on a missing file', () => {
    const missing = join(dir, 'nowhere', 'scorecard.json');
    const { code, stderr } = rebound(missing);

    expect(code).toBe(2);
    expect(stderr).toContain(`cannot read scorecard ${missing}: file not found`);
  });

  it('exits 2 on a file that is not JSON', () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{ "schemaVersion": 1,');
    const { code, stderr } = rebound(file);

    expect(code).toBe(2);
    expect(stderr).toContain(`invalid scorecard ${file}: not JSON`);
  });

  it('exits 2 on a scorecard of another schema version', () => {
    const file = join(dir, 'future.json');
    writeFileSync(file, JSON.stringify({ schemaVersion: 99 }));
    const { code, stderr } = rebound(file);

    expect(code).toBe(2);
    expect(stderr).toContain('schemaVersion is 99, this Rebound reads version 1');
  });

  it('exits 2 on a scorecard with invalid fields', () => {
    const file = join(dir, 'partial.json');
    writeFileSync(file, JSON.stringify({ schemaVersion: 1, runId: 7 }));
    const { code, stderr } = rebound(file);

    expect(code).toBe(2);
    expect(stderr).toMatch(/invalid scorecard .*partial\.json:\n\s+runId: /);
  });

  it('exits 2 on an unknown format', () => {
    const { code, stderr } = rebound(current, '--format', 'pdf');
    expect(code).toBe(2);
    expect(stderr).toContain('invalid --format "pdf": use one of json, md, junit, html');
  });

  it('reports regressions against a baseline', () => {
    const { code, stdout } = rebound(current, '--baseline', baseline);

    expect(code).toBe(0);
    expect(stdout).toContain('kill-model TTD p50: 1000 ms → 3000 ms (+200%, +2000 ms)');
  });

  it('exits 1 on a regression with --fail-on-regression', () => {
    const { code } = rebound(current, '--baseline', baseline, '--fail-on-regression');
    expect(code).toBe(1);
  });

  it('exits 0 when the tolerance covers the change', () => {
    const { code, stdout } = rebound(
      current,
      '--baseline',
      baseline,
      '--fail-on-regression',
      '--tolerance-ms',
      '5000',
    );
    expect(code).toBe(0);
    expect(stdout).toContain('No regressions.');
  });
});
