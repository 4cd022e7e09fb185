import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { experimentJsonSchemaText, SCHEMA_FILE } from '../src/experiment/json-schema.ts';

describe('experiment JSON Schema', () => {
  it('matches the committed file', () => {
    // If this fails, run `npm run schema` and commit schema/experiment.schema.json.
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(experimentJsonSchemaText());
  });

  it('requires units on durations and forbids unknown keys', () => {
    const schema = JSON.parse(experimentJsonSchemaText());
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(['apiVersion', 'kind', 'metadata', 'load', 'steadyState']);
    expect(schema.properties.steadyState.properties.baseline).toMatchObject({
      type: 'string',
      pattern: expect.stringContaining('(ms|s|m|h)'),
    });
    expect(schema.properties.healer.properties.enabled.type).toBe('boolean');
  });
});
