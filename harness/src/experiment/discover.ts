import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.ts';

const EXPERIMENT_FILE = /\.ya?ml$/;

/**
 * Expands files and folders into experiment files: a folder contributes every `.yaml` and `.yml`
 * file below it, sorted by path, skipping hidden entries, `node_modules` and YAML files that declare
 * another `kind` (topologies, policies). A file named directly is always taken.
 */
export function findExperimentFiles(paths: string[]): string[] {
  if (paths.length === 0) throw new UsageError('name at least one experiment file or folder');
  const files: string[] = [];
  for (const path of paths) {
    let isFolder: boolean;
    try {
      isFolder = statSync(path).isDirectory();
    } catch {
      throw new UsageError(`not found: ${path}; name an experiment file or a folder of them`);
    }
    if (!isFolder) {
      files.push(path);
      continue;
    }
    const found = filesBelow(path);
    if (found.length === 0) throw new UsageError(`no .yaml experiment files in ${path}`);
    files.push(...found);
  }
  return files;
}

function filesBelow(folder: string): string[] {
  const files: string[] = [];
  const entries = readdirSync(folder, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  );
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const path = join(folder, entry.name);
    if (entry.isDirectory()) files.push(...filesBelow(path));
    else if (EXPERIMENT_FILE.test(entry.name) && !declaresOtherKind(path)) files.push(path);
  }
  return files;
}

/** Whether a YAML file declares a top-level `kind` other than Experiment. */
function declaresOtherKind(file: string): boolean {
  const match = /^kind:\s*["']?([A-Za-z]+)/m.exec(readFileSync(file, 'utf8'));
  return match !== null && match[1] !== 'Experiment';
}
