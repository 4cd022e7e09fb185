import type { RunStatus, Scorecard, Statistic, Verdict } from '../score/scorecard.ts';

/** Formatting shared by the renderers. Everything here is plain text without colour. */

const STATUS_RANK: Record<RunStatus, number> = {
  errored: 0,
  interrupted: 1,
  failed: 2,
  inconclusive: 3,
  passed: 4,
};

/** Scorecards worst first: unexpected results before expected ones, then by status. */
export function worstFirst(scorecards: Scorecard[]): Scorecard[] {
  return [...scorecards].sort((a, b) => {
    if (a.asExpected !== b.asExpected) return a.asExpected ? 1 : -1;
    return STATUS_RANK[a.status] - STATUS_RANK[b.status];
  });
}

const VERDICT_RANK: Record<Verdict['status'], number> = { failed: 0, no_data: 1, passed: 2 };

export function verdictsWorstFirst(verdicts: Verdict[]): Verdict[] {
  return [...verdicts].sort((a, b) => VERDICT_RANK[a.status] - VERDICT_RANK[b.status]);
}

/** Milliseconds for people: `850 ms`, `1.25 s`, `2 min 5 s`; a dash when missing. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–';
  if (Math.abs(ms) < 1_000) return `${Math.round(ms)} ms`;
  if (Math.abs(ms) < 60_000) return `${Number((ms / 1_000).toFixed(2))} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms - minutes * 60_000) / 1_000)} s`;
}

/** p50 / p95 of a statistic, or a dash. */
export function formatQuantiles(statistic: Statistic | null): string {
  if (statistic === null) return '–';
  return `${formatMs(statistic.p50)} / ${formatMs(statistic.p95)}`;
}

export function formatObserved(verdict: Verdict, value: Verdict['observed']): string {
  if (value === null) return '–';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  switch (verdict.unit) {
    case 'ms':
      return formatMs(value);
    case 'ratio':
      return `${Number((value * 100).toFixed(2))}%`;
    default:
      return String(value);
  }
}

/** Labels the status with one word plus, for an expected failure, whether it failed as expected. */
export function statusLabel(scorecard: Scorecard): string {
  if (scorecard.experiment.expectedOutcome === 'fail') {
    return scorecard.asExpected
      ? `${scorecard.status} (as expected)`
      : `${scorecard.status} (expected to fail)`;
  }
  return scorecard.status;
}

export const VERDICT_MARK: Record<Verdict['status'], string> = {
  passed: '✅',
  failed: '❌',
  no_data: '⚠️',
};

export const STATUS_MARK: Record<RunStatus, string> = {
  passed: '✅',
  failed: '❌',
  inconclusive: '⚠️',
  interrupted: '⏹️',
  errored: '💥',
};

/** Column headings of the fault table, shared by the Markdown and HTML scorecards. */
export const FAULT_COLUMNS = [
  'fault',
  'landed',
  'detected',
  'recovered',
  'self-healed',
  'TTD p50 / p95',
  'TTM p50 / p95',
  'TTR p50 / p95',
] as const;
