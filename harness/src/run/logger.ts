import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import pino, { type Logger } from 'pino';

/**
 * Creates the harness's structured log of one run, `reports/<run-id>/harness.log`: JSON lines with the
 * experiment and run id on every line. `LOG_LEVEL` sets the level (default `info`).
 */
export function createRunLogger(file: string, fields: Record<string, unknown>): Logger {
  mkdirSync(dirname(file), { recursive: true });
  return pino(
    {
      name: 'harness',
      level: process.env.LOG_LEVEL ?? 'info',
      base: { pid: process.pid, ...fields },
    },
    pino.destination({ dest: file, sync: true }),
  );
}
