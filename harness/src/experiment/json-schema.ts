import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { EXPERIMENT_API_VERSION, experimentSchema } from './schema.ts';

/**
 * The experiment format as JSON Schema, generated from the zod schema that the loader uses, so an
 * editor (through the `yaml-language-server` modeline) checks the same rules as `rebound validate`,
 * apart from the cross-field rules. Run `npm run schema` after changing the format.
 */
export const SCHEMA_FILE = resolve(import.meta.dirname, '../../../schema/experiment.schema.json');

export function experimentJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(experimentSchema, { io: 'input', unrepresentable: 'any' });
  return {
    ...schema,
    $id: 'https://rebound.dev/schema/experiment.schema.json',
    title: `Rebound experiment (${EXPERIMENT_API_VERSION})`,
  };
}

export function experimentJsonSchemaText(): string {
  return `${JSON.stringify(experimentJsonSchema(), null, 2)}\n`;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  writeFileSync(SCHEMA_FILE, experimentJsonSchemaText());
  process.stdout.write(`wrote ${SCHEMA_FILE}\n`);
}
