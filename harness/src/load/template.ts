import { TEMPLATE_PATTERN } from './spec.ts';

export type DatasetRecord = Record<string, unknown>;

/** Reads a dotted path such as `result.label` from a parsed JSON value. */
export function readField(value: unknown, path: string): unknown {
  let current = value;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/** Lists the record fields that the `{{field}}` placeholders of a template refer to. */
export function templateFields(template: unknown): string[] {
  const fields = new Set<string>();
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      for (const match of value.matchAll(TEMPLATE_PATTERN)) fields.add(match[1] as string);
    } else if (Array.isArray(value)) {
      value.forEach(visit);
    } else if (value !== null && typeof value === 'object') {
      Object.values(value).forEach(visit);
    }
  };
  visit(template);
  return [...fields];
}

/**
 * Fills the `{{field}}` placeholders of a JSON template with fields of `record`. A string that is
 * one placeholder and nothing else takes the field's value as it is, so numbers stay numbers.
 * Placeholders inside longer text are replaced by the field as text. `encode` escapes text values,
 * such as `encodeURIComponent` for a URL path.
 */
export function fillTemplate(
  template: unknown,
  record: DatasetRecord,
  encode: (text: string) => string = (text) => text,
): unknown {
  if (typeof template === 'string') return fillString(template, record, encode);
  if (Array.isArray(template)) return template.map((item) => fillTemplate(item, record, encode));
  if (template !== null && typeof template === 'object') {
    const filled: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(template)) {
      filled[key] = fillTemplate(value, record, encode);
    }
    return filled;
  }
  return template;
}

function fillString(
  template: string,
  record: DatasetRecord,
  encode: (text: string) => string,
): unknown {
  const whole = /^\{\{\s*([A-Za-z_][\w.]*)\s*\}\}$/.exec(template);
  if (whole) return readField(record, whole[1] as string);
  return template.replace(TEMPLATE_PATTERN, (_match, field: string) =>
    encode(asText(readField(record, field))),
  );
}

/** Renders a value as text the way a comparison or a URL needs it: strings bare, the rest as JSON. */
export function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  return JSON.stringify(value);
}
