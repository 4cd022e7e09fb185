// Fails when an import crosses a boundary: the harness and the healer never import each other,
// and the AI stack's services import neither. `common/` may be imported by all and imports none.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');

const forbidden: Record<string, string[]> = {
  harness: ['targets/healer', 'targets/ai-stack/services', 'targets/ai-stack/lib'],
  'targets/healer': ['harness', 'targets/ai-stack'],
  'targets/ai-stack': ['harness', 'targets/healer'],
  common: ['harness', 'targets'],
};

const importPattern =
  /(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function sourceFiles(folder: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(folder)) {
    if (entry === 'node_modules') continue;
    const path = join(folder, entry);
    if (statSync(path).isDirectory()) files.push(...sourceFiles(path));
    else if (/\.(ts|js|mjs)$/.test(entry)) files.push(path);
  }
  return files;
}

const violations: string[] = [];
for (const [area, banned] of Object.entries(forbidden)) {
  for (const file of sourceFiles(join(root, area))) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(importPattern)) {
      const specifier = match[1] ?? match[2] ?? '';
      if (!specifier.startsWith('.')) continue;
      const target = relative(root, resolve(dirname(file), specifier));
      const crossed = banned.find((prefix) => target === prefix || target.startsWith(`${prefix}/`));
      if (crossed) {
        const line = text.slice(0, match.index).split('\n').length;
        violations.push(
          `${relative(root, file)}:${line}: imports ${specifier}; ${area} must not import ${crossed}`,
        );
      }
    }
  }
}

if (violations.length > 0) {
  process.stderr.write(
    `${violations.join('\n')}\n${violations.length} import boundary violation(s)\n`,
  );
  process.exit(1);
}
process.stdout.write('import boundaries: ok\n');
