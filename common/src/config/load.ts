import { readFileSync } from 'node:fs';
import {
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
} from 'yaml';
import type { z } from 'zod';

/** One problem in a configuration file, located at the node it concerns. */
export interface ConfigProblem {
  file: string;
  line: number;
  column: number;
  /** Dotted path to the value, such as `faults[1].duration`. */
  path: string;
  message: string;
}

/** Raised with every problem found in a configuration file, never just the first. */
export class ConfigError extends Error {
  readonly code = 'E_CONFIG';
  constructor(readonly problems: ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
  }
}

export function formatProblem(problem: ConfigProblem): string {
  const where = problem.path === '' ? '' : ` ${problem.path}:`;
  return `${problem.file}:${problem.line}:${problem.column}${where} ${problem.message}`;
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text === '' ? String(part) : `.${String(part)}`;
  }
  return text;
}

/** Finds the node at `path`, or the deepest ancestor that exists, and whether the key itself was wanted. */
function nodeAt(
  root: unknown,
  path: ReadonlyArray<PropertyKey>,
  keyName?: string,
): Node | undefined {
  let node: unknown = root;
  for (const part of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && item.key.value === part);
      if (!pair) return node;
      node = pair.value ?? pair.key;
    } else if (isSeq(node) && typeof part === 'number') {
      const item = node.items[part];
      if (!item) return node;
      node = item;
    } else {
      break;
    }
  }
  if (keyName !== undefined && isMap(node)) {
    const pair = node.items.find(
      (item) => isPair(item) && isScalar(item.key) && item.key.value === keyName,
    );
    if (pair && isNode(pair.key)) return pair.key;
  }
  return isNode(node) ? node : undefined;
}

/**
 * Parses YAML 1.2 text and validates it against `schema`, reporting every problem at once with its
 * `file:line:column`. Duplicate keys and YAML syntax errors are problems too.
 */
export function parseConfig<S extends z.ZodType>(
  text: string,
  file: string,
  schema: S,
): z.output<S> {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, {
    version: '1.2',
    uniqueKeys: true,
    lineCounter,
    prettyErrors: false,
  });
  const at = (offset: number | undefined) => {
    const position = lineCounter.linePos(offset ?? 0);
    return { line: position.line, column: position.col };
  };

  const problems: ConfigProblem[] = document.errors.map((error) => ({
    file,
    ...at(error.pos[0]),
    path: '',
    message:
      error.code === 'DUPLICATE_KEY'
        ? 'duplicate key: each key may appear once in a mapping'
        : (error.message.split('\n')[0] ?? error.message),
  }));
  if (problems.length > 0) throw new ConfigError(problems);

  const result = schema.safeParse(document.toJS() ?? {});
  if (result.success) return result.data;

  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const node = nodeAt(document.contents, issue.path, key);
        const allowed = allowedKeys(schema, issue.path);
        problems.push({
          file,
          ...at(node?.range?.[0]),
          path: formatPath([...issue.path, key]),
          message: `unknown key "${key}"${allowed ? `; allowed keys: ${allowed}` : ''}`,
        });
      }
      continue;
    }
    const node = nodeAt(document.contents, issue.path);
    problems.push({
      file,
      ...at(node?.range?.[0]),
      path: formatPath(issue.path),
      message: issue.message,
    });
  }
  problems.sort((a, b) => a.line - b.line || a.column - b.column);
  throw new ConfigError(problems);
}

/** Lists the keys an object schema accepts at `path`, when the schema there is a plain object. */
function allowedKeys(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): string | undefined {
  let current: unknown = schema;
  for (const part of path) {
    current = unwrap(current);
    const def = (
      current as { def?: { type?: string; shape?: Record<string, unknown>; element?: unknown } }
    ).def;
    if (def?.type === 'object' && typeof part === 'string') current = def.shape?.[part];
    else if (def?.type === 'array' && typeof part === 'number') current = def.element;
    else if (def?.type === 'record') current = (def as { valueType?: unknown }).valueType;
    else return undefined;
  }
  current = unwrap(current);
  const def = (current as { def?: { type?: string; shape?: Record<string, unknown> } }).def;
  return def?.type === 'object' && def.shape ? Object.keys(def.shape).join(', ') : undefined;
}

function unwrap(schema: unknown): unknown {
  let current = schema as
    | { def?: { type?: string; innerType?: unknown; in?: unknown } }
    | undefined;
  while (current?.def) {
    const { type } = current.def;
    if (type === 'optional' || type === 'default' || type === 'nullable' || type === 'prefault') {
      current = current.def.innerType as typeof current;
    } else if (type === 'pipe') {
      current = current.def.in as typeof current;
    } else {
      break;
    }
  }
  return current;
}

/** Reads and validates a YAML file; see `parseConfig`. */
export function loadConfigFile<S extends z.ZodType>(file: string, schema: S): z.output<S> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'file not found'
        : (error as Error).message;
    throw new ConfigError([{ file, line: 1, column: 1, path: '', message: reason }]);
  }
  return parseConfig(text, file, schema);
}
