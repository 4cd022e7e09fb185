import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.ts';
import { SCORECARD_SCHEMA_VERSION, type Scorecard, scorecardSchema } from '../score/scorecard.ts';

/** Reads and validates a `scorecard.json`, with a usage error that names the file and the problem. */
export function readScorecard(file: string): Scorecard {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new UsageError(`cannot read scorecard ${file}: ${reason}`);
  }

  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`invalid scorecard ${file}: not JSON (${(error as Error).message})`);
  }

  const version = (data as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (version !== SCORECARD_SCHEMA_VERSION) {
    throw new UsageError(
      `invalid scorecard ${file}: schemaVersion is ${JSON.stringify(version)}, this Rebound reads version ${SCORECARD_SCHEMA_VERSION}`,
    );
  }
  const parsed = scorecardSchema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 10)
      .map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new UsageError(`invalid scorecard ${file}:\n${problems.join('\n')}`);
  }
  return parsed.data;
}
