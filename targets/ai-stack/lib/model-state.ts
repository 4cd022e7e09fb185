import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * The active model version and the version a rollback returns to, saved to a file when one is
 * configured, so a restarted model service keeps a deploy, as a real deployment would.
 */
const stateSchema = z.object({ active: z.string(), previous: z.string().nullable() });
export type DeployState = z.output<typeof stateSchema>;

export function readDeployState(file: string | undefined): DeployState | undefined {
  if (file === undefined || !existsSync(file)) return undefined;
  const parsed = stateSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success)
    throw new Error(`${file}: invalid model deploy state: ${parsed.error.message}`);
  return parsed.data;
}

/** Writes through a temporary file and a rename, so a crash never leaves half a file. */
export function writeDeployState(file: string | undefined, state: DeployState): void {
  if (file === undefined) return;
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state)}\n`);
  renameSync(`${file}.tmp`, file);
}
