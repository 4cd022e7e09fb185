import { ExitCode, UsageError } from '../../errors.ts';
import { readScorecard } from '../../report/read.ts';
import {
  type ReportFormat,
  renderFormat,
  reportFormats,
  writeReports,
} from '../../report/write.ts';
import { applyBaseline } from '../../score/baseline.ts';
import { type Command, parseOptions } from '../command.ts';
import { paint, print } from '../output.ts';

const usage =
  'rebound report <scorecard.json> [--format md|json|junit|html] [--out dir] [--baseline old/scorecard.json] [--tolerance 0.2] [--tolerance-ms 250] [--fail-on-regression]';

const options = {
  format: { type: 'string' },
  out: { type: 'string' },
  baseline: { type: 'string' },
  tolerance: { type: 'string' },
  'tolerance-ms': { type: 'string' },
  'fail-on-regression': { type: 'boolean', default: false },
} as const;

function parseFormat(value: string | undefined): ReportFormat | undefined {
  if (value === undefined) return undefined;
  if ((reportFormats as readonly string[]).includes(value)) return value as ReportFormat;
  throw new UsageError(`invalid --format "${value}": use one of ${reportFormats.join(', ')}`);
}

function parseNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < 0) {
    throw new UsageError(`invalid --${flag} "${value}": expected a number of 0 or more`);
  }
  return number;
}

/**
 * Renders a `scorecard.json` again, optionally against a baseline scorecard. Without `--out` it
 * prints one format (Markdown by default); with `--out` it writes the chosen format, or all of
 * them, into that folder.
 */
export const command: Command = {
  summary:
    'render a scorecard.json again as Markdown, JSON, JUnit or HTML, optionally against a baseline',
  usage,
  async run(argv) {
    const { values, positionals } = parseOptions(argv, options, usage);
    if (positionals.length !== 1) {
      throw new UsageError(
        `expected one scorecard.json, got ${positionals.length}\nusage: ${usage}`,
      );
    }
    const file = positionals[0] as string;
    const format = parseFormat(values.format);
    const relative = parseNumber('tolerance', values.tolerance);
    const absoluteMs = parseNumber('tolerance-ms', values['tolerance-ms']);
    const failOnRegression = values['fail-on-regression'];
    if (
      values.baseline === undefined &&
      (failOnRegression || relative !== undefined || absoluteMs !== undefined)
    ) {
      throw new UsageError(
        '--fail-on-regression, --tolerance and --tolerance-ms need --baseline <scorecard.json>',
      );
    }

    let scorecard = readScorecard(file);
    if (values.baseline !== undefined) {
      const baseline = readScorecard(values.baseline);
      scorecard = applyBaseline(scorecard, baseline, {
        file: values.baseline,
        relative,
        absoluteMs,
        failOnRegression,
      });
    }

    if (values.out === undefined) {
      print(renderFormat(scorecard, format ?? 'md').trimEnd());
    } else {
      const written = writeReports(scorecard, values.out, format ? [format] : reportFormats);
      for (const path of written) print(`${paint('green', 'wrote')} ${path}`);
    }

    const regressions = scorecard.baseline?.regressions ?? [];
    if (failOnRegression && regressions.length > 0) return ExitCode.failed;
    return ExitCode.passed;
  },
};
