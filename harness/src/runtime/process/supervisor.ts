import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { constants } from 'node:os';
import { createLogger } from '../../../../common/src/log.ts';
import { UsageError } from '../../errors.ts';
import type { ComponentStatus, Runtime } from '../types.ts';
import { loopback } from './env.ts';

const log = createLogger('supervisor');

/** The runtime operations the supervisor exposes. */
export interface Supervised
  extends Pick<
    Runtime,
    'kill' | 'pause' | 'resume' | 'stopComponent' | 'startComponent' | 'restart' | 'status'
  > {
  componentNames(): string[];
  componentStatus(component: string): ComponentStatus;
}

export interface Supervisor {
  url: string;
  token: string;
  close(): Promise<void>;
}

const actions = ['kill', 'pause', 'resume', 'stop', 'start', 'restart'] as const;
type Action = (typeof actions)[number];

/** Largest request body accepted, in bytes; `{"signal":"SIGKILL"}` needs 20. */
const maxBodyBytes = 4_096;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/**
 * Serves the `process` runtime's control API on loopback, guarded by a random bearer token:
 * GET /v1/components, GET /v1/components/:name, and POST /v1/components/:name/<action> with action
 * kill (body `{"signal":"SIGKILL"}`, SIGKILL by default), pause, resume, stop, start or restart.
 * Each answer is the component's status after the action took effect.
 */
export async function startSupervisor(runtime: Supervised): Promise<Supervisor> {
  const token = randomBytes(24).toString('hex');
  const server = createServer((request, response) => {
    handle(runtime, token, request)
      .then((body) => reply(response, 200, body))
      .catch((error: unknown) => replyError(response, error, request));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: loopback, port: 0 }, resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://${loopback}:${port}`,
    token,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function authorised(request: IncomingMessage, token: string): boolean {
  const header = request.headers.authorization ?? '';
  const expected = Buffer.from(`Bearer ${token}`);
  const actual = Buffer.from(header);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

async function handle(
  runtime: Supervised,
  token: string,
  request: IncomingMessage,
): Promise<unknown> {
  if (!authorised(request, token)) {
    throw new HttpError(401, 'missing or wrong bearer token in the Authorization header');
  }
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  const parts = path.split('/').filter((part) => part !== '');
  if (parts[0] !== 'v1' || parts[1] !== 'components' || parts.length > 4) {
    throw new HttpError(404, `no route ${request.method} ${path}; routes are under /v1/components`);
  }

  if (parts.length === 2) {
    expectMethod(request, 'GET');
    return { components: await runtime.status() };
  }
  const name = decodeURIComponent(parts[2] as string);
  const names = runtime.componentNames();
  if (!names.includes(name)) {
    throw new HttpError(404, `unknown component "${name}"`, { components: names });
  }
  if (parts.length === 3) {
    expectMethod(request, 'GET');
    return runtime.componentStatus(name);
  }

  expectMethod(request, 'POST');
  const action = parts[3] as Action;
  if (!actions.includes(action)) {
    throw new HttpError(404, `unknown action "${action}"`, { actions });
  }
  const signal = action === 'kill' ? parseSignal(await readBody(request)) : undefined;
  log.info({ service: name, action, signal }, 'supervisor action');
  await perform(runtime, name, action, signal);
  return runtime.componentStatus(name);
}

function perform(runtime: Supervised, name: string, action: Action, signal?: NodeJS.Signals) {
  switch (action) {
    case 'kill':
      return runtime.kill(name, signal);
    case 'pause':
      return runtime.pause(name);
    case 'resume':
      return runtime.resume(name);
    case 'stop':
      return runtime.stopComponent(name);
    case 'start':
      return runtime.startComponent(name);
    case 'restart':
      return runtime.restart(name);
  }
}

function expectMethod(request: IncomingMessage, method: string): void {
  if (request.method !== method) {
    throw new HttpError(405, `${request.method} is not allowed here; use ${method}`);
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of request) {
    body += chunk;
    if (body.length > maxBodyBytes)
      throw new HttpError(413, `request body over ${maxBodyBytes} bytes`);
  }
  return body;
}

/** Reads `{"signal": "SIGTERM"}`; an empty body means SIGKILL. */
function parseSignal(body: string): NodeJS.Signals {
  if (body.trim() === '') return 'SIGKILL';
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new HttpError(400, 'request body is not valid JSON; send {"signal":"SIGKILL"}');
  }
  const signal = (parsed as { signal?: unknown } | null)?.signal ?? 'SIGKILL';
  if (typeof signal !== 'string' || !(signal in constants.signals)) {
    throw new HttpError(
      400,
      `invalid signal ${JSON.stringify(signal)}; use a name such as SIGKILL or SIGTERM`,
    );
  }
  return signal as NodeJS.Signals;
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(`${JSON.stringify(body)}\n`);
}

function replyError(response: ServerResponse, error: unknown, request: IncomingMessage): void {
  if (error instanceof HttpError) {
    reply(response, error.status, { error: error.message, ...error.extra });
    return;
  }
  const code = (error as { code?: string }).code;
  const status = code === 'E_COMPONENT_STATE' ? 409 : error instanceof UsageError ? 400 : 500;
  log.error({ err: error, method: request.method, url: request.url }, 'supervisor action failed');
  reply(response, status, { error: (error as Error).message, code });
}
