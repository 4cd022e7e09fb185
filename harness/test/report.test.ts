import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SaxesParser } from 'saxes';
import { afterEach, describe, expect, it } from 'vitest';
import { renderJunit } from '../src/report/junit.ts';
import { cell, renderMarkdown } from '../src/report/markdown.ts';
import { buildSuiteResult, renderSuiteSummary, writeSuiteReports } from '../src/report/suite.ts';
import { renderTerminalSummary } from '../src/report/terminal.ts';
import { runReportDir, writeReports } from '../src/report/write.ts';
import { escapeXml, stripIllegalXml } from '../src/report/xml.ts';
import { buildScorecard } from '../src/score/build.ts';
import { type Scorecard, scorecardSchema } from '../src/score/scorecard.ts';
import { event, outageUntil, record } from './score-timeline.ts';

const environment = {
  node: 'v20.0.0',
  os: 'linux 6.1',
  arch: 'x64',
  cpus: 2,
  cpuModel: 'test cpu',
  runtime: 'process' as const,
  reboundVersion: '0.1.0',
};

function passing(): Scorecard {
  return buildScorecard(
    [record({ samples: outageUntil(15_500), healerEvents: [event('detected', 13_200, 'model')] })],
    { environment, eventsJsonl: 'events.jsonl' },
  );
}

function failing(name = 'slow-detect', reason = 'detected too late'): Scorecard {
  const base = record();
  const experiment = { ...base.experiment, name, expectations: { detectWithinMs: 500 } };
  const scorecard = buildScorecard(
    [
      record({
        experiment,
        samples: outageUntil(15_500),
        healerEvents: [event('detected', 13_200, 'model')],
      }),
    ],
    { environment },
  );
  return { ...scorecard, statusReasons: [reason, ...scorecard.statusReasons] };
}

/** Parses with a strict XML 1.0 parser and returns the elements by name, or throws. */
function parseXml(
  xml: string,
): { name: string; attributes: Record<string, string>; text: string }[] {
  const parser = new SaxesParser();
  const elements: { name: string; attributes: Record<string, string>; text: string }[] = [];
  const open: { name: string; attributes: Record<string, string>; text: string }[] = [];
  let failure: Error | undefined;
  parser.on('error', (error) => {
    failure ??= error;
  });
  parser.on('opentag', (tag) => {
    const entry = {
      name: tag.name,
      attributes: tag.attributes as Record<string, string>,
      text: '',
    };
    elements.push(entry);
    open.push(entry);
  });
  parser.on('text', (text) => {
    const current = open[open.length - 1];
    if (current) current.text += text;
  });
  parser.on('closetag', () => open.pop());
  parser.write(xml).close();
  if (failure) throw failure;
  return elements;
}

describe('markdown scorecard', () => {
  it('shows faults with TTD and TTR quantiles', () => {
    const markdown = renderMarkdown(passing());

    expect(markdown).toMatch(/^# ✅ model-crash: passed/);
    expect(markdown).toContain('| `kill-model` | 1/1 | 1/1 | 1/1 | 1/1 | 1.2 s / 1.2 s |');
    expect(markdown).toContain('Timeline: `events.jsonl`.');
  });

  it('lists failed expectations first with numbers', () => {
    const markdown = renderMarkdown(failing());
    const rows = markdown
      .split('\n')
      .filter((line) => line.startsWith('| ❌') || line.startsWith('| ✅'));

    expect(rows[0]).toContain('`detectWithin` | 1.2 s | 500 ms |');
    expect(markdown).toContain('**Why:**');
    expect(markdown).toContain('- detected too late');
  });

  it('keeps hostile text inside one table cell', () => {
    expect(cell('a | b\nc <script>')).toBe('a \\| b c \\<script>');
  });
});

describe('junit report', () => {
  const hostile =
    'bad <tag> & "quotes" \'apos\' ]]> \u0000\u0001\u0008\u000B\u000C\u001F\uFFFE end';

  it('parses as XML whatever the messages contain', () => {
    const scorecard = failing(`exp ${hostile}`, hostile);
    const xml = renderJunit([scorecard]);
    const elements = parseXml(xml);
    const failure = elements.find((element) => element.name === 'failure');

    expect(failure?.attributes.message).toBe('bad <tag> & "quotes" \'apos\' ]]>  end');
    expect(failure?.text).toContain('bad <tag> & "quotes"');
  });

  it('has one test case per experiment and per expectation', () => {
    const xml = renderJunit([passing(), failing()]);
    const elements = parseXml(xml);
    const cases = elements.filter((element) => element.name === 'testcase');
    const root = elements.find((element) => element.name === 'testsuites');

    expect(cases.map((testcase) => testcase.attributes.name)).toEqual([
      'model-crash',
      'model-crash › detectWithin',
      'model-crash › recoverWithin',
      'slow-detect',
      'slow-detect › detectWithin',
    ]);
    expect(root?.attributes.tests).toBe('5');
    expect(root?.attributes.failures).toBe('2');
  });

  it('carries fault timings as properties', () => {
    const elements = parseXml(renderJunit([passing()]));
    const property = elements.find(
      (element) => element.attributes.name === 'fault.kill-model.ttd.p50_ms',
    );
    expect(property?.attributes.value).toBe('1200');
  });

  it('reports an expected failure as a pass', () => {
    const scorecard = { ...failing(), asExpected: true };
    scorecard.experiment = { ...scorecard.experiment, expectedOutcome: 'fail' };
    const elements = parseXml(renderJunit([scorecard]));

    expect(elements.some((element) => element.name === 'failure')).toBe(false);
    expect(elements.find((element) => element.name === 'system-out')?.text).toMatch(
      /^failed as expected/,
    );
  });

  it('strips characters XML 1.0 forbids', () => {
    expect(stripIllegalXml('a\u0000b\u0007c\td\ne\uD800f\u{1F600}')).toBe('abc\td\nef\u{1F600}');
    expect(escapeXml('<&>"\'')).toBe('&lt;&amp;&gt;&quot;&apos;');
  });
});

describe('suite reports', () => {
  it('counts an expected failure as correct', () => {
    const expected = { ...failing('healer-off'), asExpected: true };
    expected.experiment = { ...expected.experiment, expectedOutcome: 'fail' };
    const suite = buildSuiteResult([passing(), expected], 'suite-1');

    expect(suite.status).toBe('passed');
    expect(suite.correct).toBe(2);
  });

  it('fails on a surprise pass', () => {
    const surprise = passing();
    surprise.experiment = { ...surprise.experiment, expectedOutcome: 'fail' };
    surprise.asExpected = false;
    const suite = buildSuiteResult([surprise], 'suite-2');

    expect(suite.status).toBe('failed');
    expect(suite.correct).toBe(0);
  });

  it('puts the worst experiment first in summary.md', () => {
    const suite = buildSuiteResult([passing(), failing()], 'suite-3');
    const summary = renderSuiteSummary(suite);
    const rows = summary.split('\n').filter((line) => /^\| (✅|❌) \|/.test(line));

    expect(summary).toMatch(/^# ❌ Rebound suite: 1 of 2 experiments as expected/);
    expect(rows[0]).toContain('slow-detect');
    expect(rows[1]).toContain('model-crash');
  });
});

describe('report files', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('writes every format and no temporary file', () => {
    dir = mkdtempSync(join(tmpdir(), 'rebound-report-'));
    const scorecard = passing();
    writeReports(scorecard, join(dir, scorecard.runId));
    writeSuiteReports(buildSuiteResult([scorecard], 'suite'), dir);

    expect(readdirSync(join(dir, scorecard.runId)).sort()).toEqual([
      'junit.xml',
      'scorecard.html',
      'scorecard.json',
      'scorecard.md',
    ]);
    expect(readdirSync(dir).sort()).toEqual([scorecard.runId, 'suite-junit.xml', 'summary.md']);
    const json = JSON.parse(readFileSync(join(dir, scorecard.runId, 'scorecard.json'), 'utf8'));
    expect(scorecardSchema.parse(json)).toEqual(scorecard);
  });
});

describe('terminal summary', () => {
  it('prints worst first without colour off a TTY', () => {
    const stream = { isTTY: false } as NodeJS.WriteStream;
    const lines = renderTerminalSummary([passing(), failing()], stream);

    expect(lines[0]).toMatch(/^experiment\s+status\s+fault\s+TTD p50\/p95/);
    expect(lines[1]).toMatch(/^slow-detect\s+failed\s+kill-model\s+1\.2 s \/ 1\.2 s/);
    expect(lines[2]).toMatch(/^model-crash\s+passed/);
    expect(lines.join('\n')).not.toContain('\u001b[');
  });
});

describe('runReportDir', () => {
  it('places a run under the reports folder', () => {
    expect(runReportDir('reports', '20250101-120000-model-crash')).toBe(
      join('reports', '20250101-120000-model-crash'),
    );
  });

  it('rejects a run id that leaves the folder', () => {
    for (const runId of ['../etc', 'a/b', '', '..']) {
      expect(() => runReportDir('reports', runId), runId).toThrow(/invalid run id/);
    }
  });
});
