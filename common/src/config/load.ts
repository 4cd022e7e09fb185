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

/** A YAML document read into plain values, with the problems found so far and a way to locate a path. */
export interface YamlSource {
  file: string;
  /** The document as plain values; `undefined` when a syntax error makes it unreadable. */
  raw: unknown;
  problems: ConfigProblem[];
  /** Position of the value at `path`, or of the deepest ancestor that exists. */
  locate(path: ReadonlyArray<PropertyKey>, keyName?: string): { line: number; column: number };
  /** A problem located at `path`, for rules that a schema cannot express. */
  problemAt(path: ReadonlyArray<PropertyKey>, message: string): ConfigProblem;
}

/**
 * Reads YAML 1.2 text. Duplicate keys are problems but leave the document readable (the last value
 * wins), so they are reported together with the schema's problems; other syntax errors stop there.
 */
export function readYaml(text: string, file: string): YamlSource {
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
  const locate = (path: ReadonlyArray<PropertyKey>, keyName?: string) =>
    at(nodeAt(document.contents, path, keyName)?.range?.[0]);

  const problems: ConfigProblem[] = document.errors.map((error) => ({
    file,
    ...at(error.pos[0]),
    path: '',
    message:
      error.code === 'DUPLICATE_KEY'
        ? `duplicate key "${keyAt(text, error.pos[0])}": each key may appear once in a mapping`
        : (error.message.split('\n')[0] ?? error.message),
  }));
  const readable = document.errors.every((error) => error.code === 'DUPLICATE_KEY');
  return {
    file,
    raw: readable ? (document.toJS() ?? {}) : undefined,
    problems,
    locate,
    problemAt: (path, message) => ({ file, ...locate(path), path: formatPath(path), message }),
  };
}

/** Reads the mapping key that starts at `offset`, quoted or plain. */
function keyAt(text: string, offset: number): string {
  const token = /^(?:"([^"]*)"|'([^']*)'|([^:\s]+))/.exec(text.slice(offset));
  return token?.[1] ?? token?.[2] ?? token?.[3] ?? '?';
}

/** Validates a read document against `schema`, returning the value or every located problem. */
export function validateYaml<S extends z.ZodType>(
  source: YamlSource,
  schema: S,
): { value: z.output<S> | undefined; problems: ConfigProblem[] } {
  if (source.raw === undefined) return { value: undefined, problems: [] };
  const result = schema.safeParse(source.raw);
  if (result.success) return { value: result.data, problems: [] };

  const problems: ConfigProblem[] = [];
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const allowed = allowedKeys(schema, issue.path, source.raw);
        problems.push({
          file: source.file,
          ...source.locate(issue.path, key),
          path: formatPath([...issue.path, key]),
          message: `unknown key "${key}"${allowed ? `; allowed keys: ${allowed}` : ''}`,
        });
      }
      continue;
    }
    problems.push(source.problemAt(issue.path, describeIssue(issue, source.raw)));
  }
  return { value: undefined, problems };
}

/** Rewords the zod messages that do not show the rejected value or what is allowed. */
function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  if (issue.code === 'invalid_union' && 'options' in issue && Array.isArray(issue.options)) {
    const received = valueAt(raw, issue.path);
    const name = String(issue.path.at(-1) ?? 'value');
    const shown = typeof received === 'string' ? `"${received}"` : JSON.stringify(received);
    if (received === undefined) return `required: ${name}, one of ${issue.options.join(', ')}`;
    return `unknown ${name} ${shown}; allowed: ${issue.options.join(', ')}`;
  }
  if (issue.code === 'invalid_value' && issue.values.length > 1) {
    const received = valueAt(raw, issue.path);
    const shown = typeof received === 'string' ? `"${received}"` : JSON.stringify(received);
    return `invalid value ${shown}; allowed: ${issue.values.map(String).join(', ')}`;
  }
  // Only zod's own wording is replaced; a schema's custom message already says what to write.
  const ownWording = issue.message.startsWith('Invalid input');
  if (issue.code === 'invalid_type' && ownWording && valueAt(raw, issue.path) === undefined) {
    const noun = TYPE_NOUNS[issue.expected] ?? issue.expected;
    return `required: ${noun}`;
  }
  return issue.message;
}

const TYPE_NOUNS: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
};

function valueAt(raw: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let value = raw;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

/** Sorts problems by position so a reader can walk the file from top to bottom. */
export function sortProblems(problems: ConfigProblem[]): ConfigProblem[] {
  return problems.sort((a, b) => a.line - b.line || a.column - b.column);
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
  const source = readYaml(text, file);
  const { value, problems } = validateYaml(source, schema);
  const all = [...source.problems, ...problems];
  if (all.length > 0) throw new ConfigError(sortProblems(all));
  return value as z.output<S>;
}

/** Lists the keys an object schema accepts at `path`, when the schema there is a plain object. */
function allowedKeys(
  schema: z.ZodType,
  path: ReadonlyArray<PropertyKey>,
  raw: unknown,
): string | undefined {
  let current: unknown = schema;
  for (let depth = 0; depth <= path.length; depth++) {
    current = pickUnionOption(unwrap(current), valueAt(raw, path.slice(0, depth)));
    if (depth === path.length) break;
    const part = path[depth];
    const def = (
      current as { def?: { type?: string; shape?: Record<string, unknown>; element?: unknown } }
    ).def;
    if (def?.type === 'object' && typeof part === 'string') current = def.shape?.[part];
    else if (def?.type === 'array' && typeof part === 'number') current = def.element;
    else if (def?.type === 'record') current = (def as { valueType?: unknown }).valueType;
    else return undefined;
  }
  const def = (current as { def?: { type?: string; shape?: Record<string, unknown> } }).def;
  return def?.type === 'object' && def.shape ? Object.keys(def.shape).join(', ') : undefined;
}

/** For a discriminated union, returns the option that the value's discriminator selects. */
function pickUnionOption(schema: unknown, value: unknown): unknown {
  const def = (schema as { def?: { type?: string; discriminator?: string; options?: unknown[] } })
    .def;
  if (def?.type !== 'union' || def.discriminator === undefined || !def.options) return schema;
  if (typeof value !== 'object' || value === null) return schema;
  const wanted = (value as Record<string, unknown>)[def.discriminator];
  const option = def.options.find((candidate) => {
    const shape = (candidate as { def?: { shape?: Record<string, unknown> } }).def?.shape;
    const literal = (shape?.[def.discriminator as string] as { def?: { values?: unknown[] } })?.def;
    return literal?.values?.includes(wanted) ?? false;
  });
  return option === undefined ? schema : unwrap(option);
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

/** Reads a file's text, turning a missing or unreadable file into a located problem. */
export function readConfigText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'file not found'
        : (error as Error).message;
    throw new ConfigError([{ file, line: 1, column: 1, path: '', message: reason }]);
  }
}

/** Reads and validates a YAML file; see `parseConfig`. */
export function loadConfigFile<S extends z.ZodType>(file: string, schema: S): z.output<S> {
  return parseConfig(readConfigText(file), file, schema);
}
