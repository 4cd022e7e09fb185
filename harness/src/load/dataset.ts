import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { DatasetRecord } from './template.ts';

/** Upper bound on records read from one dataset, so a wrong path cannot exhaust memory. */
export const MAX_DATASET_RECORDS = 200_000;

export class DatasetError extends Error {
  readonly code = 'E_DATASET';
  constructor(message: string) {
    super(message);
    this.name = 'DatasetError';
  }
}

/**
 * Reads a JSONL dataset: one JSON object per line, blank lines skipped. `file` is relative to
 * `baseDir`, the experiment file's folder. Throws a `DatasetError` that names the file and line.
 */
export function loadDataset(file: string, baseDir: string): DatasetRecord[] {
  const path = isAbsolute(file) ? file : resolve(baseDir, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : String(error);
    throw new DatasetError(`dataset ${path}: ${reason}`);
  }

  const records: DatasetRecord[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = (lines[index] as string).trim();
    if (line === '') continue;
    records.push(parseRecord(line, `${path}:${index + 1}`));
    if (records.length > MAX_DATASET_RECORDS) {
      throw new DatasetError(`dataset ${path} has more than ${MAX_DATASET_RECORDS} records`);
    }
  }
  if (records.length === 0) throw new DatasetError(`dataset ${path} has no records`);
  return records;
}

function parseRecord(line: string, where: string): DatasetRecord {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new DatasetError(`${where}: invalid JSON (${(error as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new DatasetError(`${where}: expected a JSON object per line`);
  }
  return value as DatasetRecord;
}
