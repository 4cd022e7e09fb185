import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { parseDurationMs } from '../../../../common/src/config/fields.ts';
import { RuntimeFailure, UsageError } from '../../errors.ts';
import { defaultStateDir, ownerIsAlive, readStates } from '../../runtime/process/state.ts';
import { projectRoot } from '../../runtime/process/tools.ts';
import type { StackEndpoints } from '../../runtime/types.ts';
import { type Command, parseOptions } from '../command.ts';
import { print } from '../output.ts';

/**
 * `rebound stack seed`: posts messages of the AI stack's stream split to the running stack's
 * ingest service and waits until the gateway finds every acknowledged one in the vector store.
 * It reads the split by path, because the harness does not import the stack's code.
 */
const usage =
  'rebound stack seed --count N [--topology FILE] [--run-dir DIR] [--data FILE] [--timeout DURATION]';
const help = `${usage}

  --count N           messages to post, from the start of the data file
  --topology FILE     use the running stack started from this topology (default: the newest running stack)
  --run-dir DIR       use the stack whose run folder is DIR (reads DIR/endpoints.json)
  --data FILE         JSONL file of {"id","text","label"} (default targets/ai-stack/data/generated/stream.jsonl)
  --timeout DURATION  how long to wait until every message is indexed (default 60s)`;

const options = {
  count: { type: 'string' },
  topology: { type: 'string' },
  'run-dir': { type: 'string' },
  data: {
    type: 'string',
    default: join(projectRoot, 'targets', 'ai-stack', 'data', 'generated', 'stream.jsonl'),
  },
  timeout: { type: 'string', default: '60s' },
} as const;

const messageSchema = z.object({
  id: z.string().min(1),
  text: z.string(),
  label: z.enum(['spam', 'ham']).optional(),
});
type SeedMessage = z.output<typeof messageSchema>;

const POST_CONCURRENCY = 8;
const POST_ATTEMPTS = 5;
const LOOKUP_CHUNK = 1_000;

/** Runs `rebound stack seed` and returns the exit code. */
export async function seed(argv: string[]): Promise<number> {
  const { values } = parseOptions(argv, options, usage);
  const count = Number(values.count);
  if (values.count === undefined || !Number.isInteger(count) || count < 1) {
    throw new UsageError(
      `--count must be a positive integer, got ${values.count ?? 'nothing'}\nusage: ${usage}`,
    );
  }
  const timeoutMs = parseTimeout(values.timeout);
  const endpoints = readEndpoints(values['run-dir'], values.topology);
  const messages = readMessages(resolve(values.data), count);
  const ingestUrl = componentUrl(endpoints, 'ingest');
  const gatewayUrl = componentUrl(endpoints, 'gateway');

  const started = performance.now();
  const acknowledged = await postAll(ingestUrl, messages);
  print(`acknowledged ${acknowledged.length} of ${messages.length} messages`);
  const indexed = await waitIndexed(gatewayUrl, acknowledged, timeoutMs);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (indexed < acknowledged.length) {
    throw new RuntimeFailure(
      `only ${indexed} of ${acknowledged.length} acknowledged messages were indexed within ${values.timeout}`,
    );
  }
  print(`seeded ${indexed} messages in ${seconds} s`);
  return acknowledged.length === messages.length ? 0 : 1;
}

export const subcommand: Command = {
  summary: 'post N stream messages to the running AI stack and wait until they are indexed',
  usage: help,
  run: seed,
};

function parseTimeout(text: string): number {
  try {
    return parseDurationMs(text);
  } catch (error) {
    throw new UsageError(`--timeout: ${(error as Error).message}`);
  }
}

/** Finds `endpoints.json`: of the given run folder, or of the newest live stack on this machine. */
function readEndpoints(runDir: string | undefined, topology: string | undefined): StackEndpoints {
  let file: string;
  if (runDir !== undefined) {
    file = join(resolve(runDir), 'endpoints.json');
  } else {
    const topologyFile = topology === undefined ? undefined : resolve(topology);
    const live = readStates(defaultStateDir)
      .filter((state) => ownerIsAlive(state) && state.supervisor !== undefined)
      .filter((state) => topologyFile === undefined || resolve(state.topology) === topologyFile)
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
    const newest = live[0];
    if (!newest) {
      throw new UsageError(
        'no running stack found; start one with `rebound stack up --detach`, or pass --run-dir DIR',
      );
    }
    file = newest.endpointsFile;
  }
  if (!existsSync(file))
    throw new UsageError(`${file} not found; is the stack running? pass --run-dir DIR`);
  return JSON.parse(readFileSync(file, 'utf8')) as StackEndpoints;
}

function componentUrl(endpoints: StackEndpoints, name: string): string {
  const url = endpoints.components[name]?.url;
  if (!url)
    throw new UsageError(
      `the running stack has no ${name} component; seed needs the AI stack (targets/ai-stack/topology.yaml)`,
    );
  return url;
}

function readMessages(file: string, count: number): SeedMessage[] {
  if (!existsSync(file)) {
    throw new UsageError(
      `${file} not found; run: node --import tsx targets/ai-stack/scripts/prepare.ts`,
    );
  }
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
  if (lines.length < count)
    throw new UsageError(`--count ${count} is more than the ${lines.length} messages in ${file}`);
  return lines.slice(0, count).map((line, index) => {
    const parsed = messageSchema.safeParse(JSON.parse(line));
    if (!parsed.success)
      throw new UsageError(`${file}:${index + 1}: ${parsed.error.issues[0]?.message}`);
    return parsed.data;
  });
}

/** Posts with a few requests in flight; a 503 is retried because ingest marks it `retryable`. */
async function postAll(ingestUrl: string, messages: SeedMessage[]): Promise<string[]> {
  const acknowledged: string[] = [];
  const queue = [...messages];
  const worker = async () => {
    for (let message = queue.shift(); message; message = queue.shift()) {
      if (await postOne(ingestUrl, message)) acknowledged.push(message.id);
    }
  };
  await Promise.all(Array.from({ length: POST_CONCURRENCY }, worker));
  return acknowledged;
}

async function postOne(ingestUrl: string, message: SeedMessage): Promise<boolean> {
  for (let attempt = 1; attempt <= POST_ATTEMPTS; attempt++) {
    const response = await fetch(`${ingestUrl}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(10_000),
    }).catch(() => undefined);
    if (response?.status === 202) return true;
    if (response && response.status !== 503) {
      throw new RuntimeFailure(
        `ingest rejected message ${message.id} with ${response.status}: ${await response.text()}`,
      );
    }
    await new Promise((done) => setTimeout(done, 200 * attempt));
  }
  return false;
}

/** Polls the gateway's lookup until every id is found or the timeout passes; returns the found count. */
async function waitIndexed(gatewayUrl: string, ids: string[], timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  let missing = ids;
  while (missing.length > 0 && performance.now() < deadline) {
    const stillMissing: string[] = [];
    for (let start = 0; start < missing.length; start += LOOKUP_CHUNK) {
      const chunk = missing.slice(start, start + LOOKUP_CHUNK);
      const response = await fetch(`${gatewayUrl}/v1/documents/lookup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ids: chunk }),
        signal: AbortSignal.timeout(10_000),
      }).catch(() => undefined);
      const body =
        response?.status === 200
          ? ((await response.json()) as { missing: string[] })
          : { missing: chunk };
      stillMissing.push(...body.missing);
    }
    missing = stillMissing;
    if (missing.length > 0) await new Promise((done) => setTimeout(done, 250));
  }
  return ids.length - missing.length;
}
