import type { FaultResult, Scorecard, TrialResult, Verdict } from '../score/scorecard.ts';
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
 * `scorecard.html`: one self-contained page, with no script and no external resource, so it opens
 * from a CI artifact as it is. Failures come first, as in the Markdown report.
 */

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const STYLE = `
body { font: 14px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; color: #1b1f24; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
th, td { border: 1px solid #d0d7de; padding: 0.25rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
tr.failed td { background: #ffebe9; } tr.no_data td { background: #fff8c5; }
.status-passed { color: #1a7f37; } .status-failed, .status-errored { color: #cf222e; }
.status-inconclusive, .status-interrupted { color: #9a6700; }
code { font-family: ui-monospace, monospace; }
`;

/** Renders a table; cells are already-escaped HTML. */
function table(header: string[], rows: { cells: string[]; className?: string }[]): string {
  const head = `<tr>${header.map((title) => `<th>${escapeHtml(title)}</th>`).join('')}</tr>`;
  const body = rows
    .map((row) => {
      const attribute = row.className ? ` class="${row.className}"` : '';
      return `<tr${attribute}>${row.cells.map((cell) => `<td>${cell}</td>`).join('')}</tr>`;
    })
    .join('\n');
  return `<table>\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

function expectationsSection(scorecard: Scorecard): string {
  if (scorecard.expectations.length === 0) return '<h2>Expectations</h2>\n<p>None set.</p>';
  const rows = verdictsWorstFirst(scorecard.expectations).map((verdict: Verdict) => ({
    className: verdict.status,
    cells: [
      VERDICT_MARK[verdict.status],
      `<code>${escapeHtml(verdict.name)}</code>`,
      escapeHtml(formatObserved(verdict, verdict.observed)),
      escapeHtml(formatObserved(verdict, verdict.limit)),
      escapeHtml(verdict.message),
    ],
  }));
  const header = ['', 'expectation', 'observed', 'limit', 'detail'];
  return `<h2>Expectations</h2>\n${table(header, rows)}`;
}

function faultsSection(scorecard: Scorecard): string {
  const rows = scorecard.statistics.faults.map((fault) => ({
    cells: [
      `<code>${escapeHtml(fault.name)}</code>`,
      `${fault.landed}/${fault.trials}`,
      `${fault.detected}/${fault.trials}`,
      `${fault.recovered}/${fault.trials}`,
      `${fault.selfHealed}/${fault.trials}`,
      escapeHtml(formatQuantiles(fault.ttdMs)),
      escapeHtml(formatQuantiles(fault.ttmMs)),
      escapeHtml(formatQuantiles(fault.ttrMs)),
    ],
  }));
  const header = [...FAULT_COLUMNS];
  return `<h2>Faults</h2>\n${rows.length > 0 ? table(header, rows) : '<p>No faults planned.</p>'}`;
}

function phaseCells(fault: FaultResult): string[] {
  const times = [
    fault.tInjectMs,
    fault.tImpactMs,
    fault.tDetectMs,
    fault.tAckMs,
    fault.tMitigateMs,
    fault.tRecoverMs,
    fault.tRevertMs,
  ];
  return [
    `<code>${escapeHtml(fault.name)}</code>`,
    ...times.map((time) => escapeHtml(formatMs(time))),
  ];
}

function trialSection(trial: TrialResult): string {
  const title = `Trial ${trial.trial}: <span class="status-${trial.status}">${STATUS_MARK[trial.status]} ${trial.status}</span>`;
  const header = ['fault', 'inject', 'impact', 'detect', 'ack', 'mitigate', 'recover', 'revert'];
  const rows = trial.faults.map((fault) => ({ cells: phaseCells(fault) }));
  const alarms = trial.falseAlarms.map(
    (alarm) =>
      `<li>${escapeHtml(`${formatMs(alarm.tMs)}: ${alarm.service} (${alarm.signal})`)}</li>`,
  );
  const alarmList = alarms.length > 0 ? `<p>False alarms:</p>\n<ul>${alarms.join('')}</ul>` : '';
  return `<h3>${title}</h3>\n<p>Times since the run's start.</p>\n${table(header, rows)}${alarmList}`;
}

export function renderHtml(scorecard: Scorecard): string {
  const { experiment, environment } = scorecard;
  const name = escapeHtml(experiment.name);
  const reasons = scorecard.statusReasons
    .map((reason) => `<li>${escapeHtml(reason)}</li>`)
    .join('\n');
  const parts = [
    `<h1 class="status-${scorecard.status}">${STATUS_MARK[scorecard.status]} ${name}: ${escapeHtml(statusLabel(scorecard))}</h1>`,
    `<p>Run <code>${escapeHtml(scorecard.runId)}</code> of <code>${escapeHtml(experiment.file)}</code>, ${scorecard.trials.length} trial(s) on the <code>${escapeHtml(environment.runtime)}</code> runtime.</p>`,
    reasons ? `<h2>Why</h2>\n<ul class="reasons">\n${reasons}\n</ul>` : '',
    expectationsSection(scorecard),
    faultsSection(scorecard),
    '<h2>Trials</h2>',
    ...scorecard.trials.map(trialSection),
    `<footer>Node ${escapeHtml(environment.node)} on ${escapeHtml(environment.os)}, ${environment.cpus} CPU(s), Rebound ${escapeHtml(environment.reboundVersion)}, scorecard schema ${scorecard.schemaVersion}.</footer>`,
  ];
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${name}: ${escapeHtml(scorecard.status)} · Rebound</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    ...parts.filter((part) => part !== ''),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
