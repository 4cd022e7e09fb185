// Runs every benchmark one after another, so each has the machine to itself, and prints its figures.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const benchDir = new URL('.', import.meta.url).pathname;
const scripts = readdirSync(benchDir)
  .filter((file) => file.endsWith('.ts') && file !== 'run-all.ts')
  .sort();

for (const script of scripts) {
  console.log(`\n== ${script}`);
  execFileSync(process.execPath, ['--import', 'tsx', join(benchDir, script)], { stdio: 'inherit' });
}
