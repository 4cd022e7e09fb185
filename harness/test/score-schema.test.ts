import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildScorecard } from '../src/score/build.ts';
import { scorecardJsonSchema } from '../src/score/scorecard.ts';
import { SCHEMA_FILE } from '../src/score/write-schema.ts';
import { event, outageUntil, record } from './score-timeline.ts';

const scorecard = () =>
  JSON.parse(
    JSON.stringify(
      buildScorecard([
        record({
          samples: outageUntil(15_500),
          healerEvents: [event('detected', 13_200, 'model')],
        }),
      ]),
    ),
  );

describe('scorecard JSON Schema', () => {
  it('matches the committed schema file', () => {
    const committed = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'));
    // Regenerate with: npx tsx harness/src/score/write-schema.ts
    expect(committed).toEqual(scorecardJsonSchema());
  });

  it('accepts a built scorecard', () => {
    const validator = z.fromJSONSchema(scorecardJsonSchema() as never);
    expect(validator.safeParse(scorecard()).success).toBe(true);
  });

  it('rejects an unknown status', () => {
    const validator = z.fromJSONSchema(scorecardJsonSchema() as never);
    const result = validator.safeParse({ ...scorecard(), status: 'mostly-fine' });

    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['status']);
  });
});
