import { paint } from '../cli/output.ts';
import type { RunStatus, Scorecard } from '../score/scorecard.ts';
import { formatQuantiles, statusLabel, worstFirst } from './format.ts';

/**
 * The summary table printed at the end of a run: one row per fault of each experiment, worst
 * experiment first. Plain text; colour comes only from `paint`, so it appears only on a TTY.
 */

const STATUS_STYLE: Record<RunStatus, Parameters<typeof paint>[0]> = {
  passed: 'green',
  failed: 'red',
  inconclusive: 'yellow',
  interrupted: 'yellow',
  errored: 'magenta',
};

const HEADER = ['experiment', 'status', 'fault', 'TTD p50/p95', 'TTM p50/p95', 'TTR p50/p95'];

function rows(scorecard: Scorecard): string[][] {
  const label = statusLabel(scorecard);
  if (scorecard.statistics.faults.length === 0) {
    return [[scorecard.experiment.name, label, '–', '–', '–', '–']];
  }
  return scorecard.statistics.faults.map((fault, index) => [
    index === 0 ? scorecard.experiment.name : '',
    index === 0 ? label : '',
    fault.name,
    formatQuantiles(fault.ttdMs),
    formatQuantiles(fault.ttmMs),
    formatQuantiles(fault.ttrMs),
  ]);
}

/** Lines of the table, columns padded to their widest cell; colour is added after padding. */
export function renderTerminalSummary(
  scorecards: Scorecard[],
  stream: NodeJS.WriteStream = process.stdout,
): string[] {
  const ordered = worstFirst(scorecards);
  const body = ordered.flatMap((scorecard) => rows(scorecard).map((row) => ({ scorecard, row })));
  const widths = HEADER.map((title, column) =>
    Math.max(title.length, ...body.map(({ row }) => (row[column] ?? '').length)),
  );
  const pad = (row: string[]) => row.map((text, column) => text.padEnd(widths[column] ?? 0));

  const lines = [paint('bold', pad(HEADER).join('  ').trimEnd(), stream)];
  for (const { scorecard, row } of body) {
    const cells = pad(row);
    if (row[1]) {
      const style = scorecard.asExpected ? 'green' : STATUS_STYLE[scorecard.status];
      cells[1] = paint(style, cells[1] ?? '', stream);
    }
    lines.push(cells.join('  ').trimEnd());
  }
  for (const scorecard of ordered) {
    if (scorecard.asExpected) continue;
    for (const reason of scorecard.statusReasons.slice(0, 3)) {
      lines.push(`${scorecard.experiment.name}: ${reason}`);
    }
  }
  return lines;
}
