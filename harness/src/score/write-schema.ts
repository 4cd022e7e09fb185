import { writeFileSync } from 'node:fs';
import { scorecardJsonSchema } from './scorecard.ts';

/**
 * Writes the scorecard's JSON Schema next to this file, for consumers that validate scorecards
 * without running Rebound. Run `npx tsx harness/src/score/write-schema.ts` after changing the schema;
 * a unit test fails while the file is out of date.
 */
export const SCHEMA_FILE = new URL('./scorecard.schema.json', import.meta.url);

export function renderSchemaFile(): string {
  return `${JSON.stringify(scorecardJsonSchema(), null, 2)}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(SCHEMA_FILE, renderSchemaFile());
}
