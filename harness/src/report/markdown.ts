import type { FaultStatistics, Scorecard, TrialResult } from '../score/scorecard.ts';
import {
  FAULT_COLUMNS,
  formatMs,
  formatObserved,
  formatQuantiles,
  STATUS_MARK,
  statusLabel,
  VERDICT_MARK,
  verdictsWorstFirst,
} from './format.ts';

/**
 * `scorecard.md`: the scorecard for people, readable as plain text in a terminal and rendered as a
 * GitHub job summary. Failures come first, with the numbers and the reason.
 */

/** Text safe inside a Markdown table cell: one line, pipes and angle brackets escaped. */
export function cell(text: string): string {
  return text
    .replace(/\r?\n/g, ' ')
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/</g, '\\<');
}

export function table(header: string[], rows: string[][]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ];
}

function summaryLines(scorecard: Scorecard): string[] {
  const { experiment, environment } = scorecard;
  const lines = [
    `# ${STATUS_MARK[scorecard.status]} ${cell(experiment.name)}: ${statusLabel(scorecard)}`,
    '',
    `Run \`${scorecard.runId}\` of \`${experiment.file}\`, ${scorecard.trials.length} trial(s) on the \`${environment.runtime}\` runtime, healer ${experiment.healer.enabled ? 'on' : 'off'}.`,
  ];
  if (experiment.description) lines.push('', cell(experiment.description));
  if (scorecard.statusReasons.length > 0) {
    lines.push(
      '',
      '**Why:**',
      '',
      ...scorecard.statusReasons.slice(0, 20).map((r) => `- ${cell(r)}`),
    );
    const hidden = scorecard.statusReasons.length - 20;
    if (hidden > 0) lines.push(`- … and ${hidden} more in scorecard.json`);
  }
  return lines;
}

function expectationLines(scorecard: Scorecard): string[] {
  if (scorecard.expectations.length === 0) return ['## Expectations', '', 'None set.'];
  const rows = verdictsWorstFirst(scorecard.expectations).map((verdict) => [
    VERDICT_MARK[verdict.status],
    `\`${verdict.name}\``,
    formatObserved(verdict, verdict.observed),
    formatObserved(verdict, verdict.limit),
    cell(verdict.message),
  ]);
  return [
    '## Expectations',
    '',
    ...table(['', 'expectation', 'observed', 'limit', 'detail'], rows),
  ];
}

function interval(statistics: FaultStatistics): string {
  const ttr = statistics.ttrMs;
  if (ttr === null || ttr.n < 2) return '–';
  return `${formatMs(ttr.ci95.low)} – ${formatMs(ttr.ci95.high)}`;
}

function faultLines(scorecard: Scorecard): string[] {
  const rows = scorecard.statistics.faults.map((statistics) => {
    const count = (value: number) => `${value}/${statistics.trials}`;
    return [
      `\`${cell(statistics.name)}\``,
      count(statistics.landed),
      count(statistics.detected),
      count(statistics.recovered),
      count(statistics.selfHealed),
      formatQuantiles(statistics.ttdMs),
      formatQuantiles(statistics.ttmMs),
      formatQuantiles(statistics.ttrMs),
      interval(statistics),
    ];
  });
  const header = [...FAULT_COLUMNS, 'TTR median 95% CI'];
  return ['## Faults', '', ...(rows.length > 0 ? table(header, rows) : ['No faults planned.'])];
}

function regressionLines(scorecard: Scorecard): string[] {
  const baseline = scorecard.baseline;
  if (baseline === undefined) return [];
  const { relative, absoluteMs } = baseline.tolerance;
  const head = `## Baseline \`${baseline.baselineRunId}\` (tolerance ${relative * 100}% and ${absoluteMs} ms)`;
  if (baseline.regressions.length === 0) return [head, '', 'No regressions.'];
  return [head, '', ...baseline.regressions.map((regression) => `- ⬆️ ${cell(regression.message)}`)];
}

function trialRow(trial: TrialResult): string[] {
  const loss = trial.dataLoss
    ? `${trial.dataLoss.missing.length} of ${trial.dataLoss.acknowledged}`
    : '–';
  return [
    String(trial.trial),
    `${STATUS_MARK[trial.status]} ${trial.status}`,
    String(trial.falseAlarms.length),
    loss,
    trial.cleanup.clean ? 'clean' : 'left-overs',
    String(trial.sampleCount),
  ];
}

function trialLines(scorecard: Scorecard): string[] {
  const header = ['trial', 'status', 'false alarms', 'data lost', 'cleanup', 'samples'];
  return ['## Trials', '', ...table(header, scorecard.trials.map(trialRow))];
}

function footerLines(scorecard: Scorecard): string[] {
  const { environment } = scorecard;
  const lines = [
    `Node ${environment.node} on ${environment.os} (${environment.arch}, ${environment.cpus} × ${cell(environment.cpuModel)}), Rebound ${environment.reboundVersion}, scorecard schema ${scorecard.schemaVersion}.`,
  ];
  if (scorecard.artifacts.eventsJsonl) {
    lines.push(`Timeline: \`${scorecard.artifacts.eventsJsonl}\`.`);
  }
  return lines;
}

export function renderMarkdown(scorecard: Scorecard): string {
  const sections = [
    summaryLines(scorecard),
    expectationLines(scorecard),
    faultLines(scorecard),
    regressionLines(scorecard),
    trialLines(scorecard),
    footerLines(scorecard),
  ].filter((section) => section.length > 0);
  return `${sections.map((section) => section.join('\n')).join('\n\n')}\n`;
}
