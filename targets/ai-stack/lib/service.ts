import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { z } from 'zod';
import type { Logger } from '../../../common/src/log.ts';
import { isAuthorised } from './admin.ts';
import type { ServiceMetrics } from './metrics.ts';
import { DependencyError, PermanentError } from './resilience/dependency.ts';

/**
 * The HTTP side of every stack service: JSON routes, admin authentication, `/healthz`, `/readyz`
 * and `/metrics`, request metrics, and errors turned into JSON responses.
 */
export interface Reply {
  status: number;
  body: unknown;
}

export interface Route {
  method: 'GET' | 'POST';
  path: string;
  /** Admin routes require `Authorization: Bearer $ADMIN_TOKEN`. */
  admin?: boolean;
  handler: (body: unknown, request: IncomingMessage) => Promise<Reply> | Reply;
}

/**
 * A readiness check resolves when its dependency is usable and throws with the reason otherwise.
 * It may resolve with details (a measured latency, say), which `/readyz` lists beside `ok`.
 */
export type ReadinessCheck = () => Promise<void | Record<string, unknown>>;

export interface ServiceOptions {
  name: string;
  host: string;
  port: number;
  routes: Route[];
  readiness: Record<string, ReadinessCheck>;
  metrics: ServiceMetrics;
  logger: Logger;
  /** Required when a route is an admin route. */
  adminToken?: string;
  maxBodyBytes?: number;
}

/** An error with the HTTP status and JSON fields of its response. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fields: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** Validates a request body; the 400 response lists every invalid field as `path: message`. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(
    (issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'body'}: ${issue.message}`,
  );
  throw new HttpError(400, `invalid request body: ${problems.join('; ')}`, { problems });
}

/** A failed readiness check that carries details for `/readyz`. */
export class ReadinessError extends Error {
  constructor(
    message: string,
    readonly details: Record<string, unknown>,
  ) {
    super(message);
  }
}

const DEFAULT_MAX_BODY_BYTES = 1_048_576;

async function readJson(request: IncomingMessage, maxBytes: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new HttpError(413, `request body is larger than ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw new HttpError(400, `request body is not valid JSON: ${(error as Error).message}`);
  }
}

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  contentType = 'application/json',
): void {
  const text = contentType === 'application/json' ? JSON.stringify(body) : String(body);
  response.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

/** Turns a thrown error into an answer; unexpected errors are logged and answer 500. */
function errorReply(error: unknown, logger: Logger, route: string): Reply {
  if (error instanceof HttpError)
    return { status: error.status, body: { error: error.message, ...error.fields } };
  if (error instanceof DependencyError) {
    logger.warn(
      { route, dependency: error.dependency, reason: error.reason, err: error },
      'dependency call failed',
    );
    return {
      status: 503,
      body: { error: error.message, dependency: error.dependency, retryable: error.retryable },
    };
  }
  if (error instanceof PermanentError) {
    logger.warn({ route, err: error }, 'dependency rejected the request');
    return { status: 502, body: { error: error.message, retryable: false } };
  }
  logger.error({ route, err: error }, 'request failed');
  return { status: 500, body: { error: 'internal error; see the service log', retryable: false } };
}

async function readiness(checks: Record<string, ReadinessCheck>): Promise<Reply> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        const details = await check();
        return [name, { ...details, ok: true }] as const;
      } catch (error) {
        const details = error instanceof ReadinessError ? error.details : {};
        return [name, { ...details, ok: false, error: (error as Error).message }] as const;
      }
    }),
  );
  const ready = entries.every(([, result]) => result.ok);
  return { status: ready ? 200 : 503, body: { ready, checks: Object.fromEntries(entries) } };
}

function builtInRoutes(options: ServiceOptions): Route[] {
  return [
    {
      method: 'GET',
      path: '/healthz',
      handler: () => ({ status: 200, body: { status: 'ok', service: options.name } }),
    },
    { method: 'GET', path: '/readyz', handler: () => readiness(options.readiness) },
  ];
}

async function handle(
  options: ServiceOptions,
  routes: Map<string, Route>,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  const method = request.method ?? 'GET';
  if (method === 'GET' && path === '/metrics') {
    send(
      response,
      200,
      await options.metrics.registry.metrics(),
      options.metrics.registry.contentType,
    );
    return;
  }

  const route = routes.get(`${method} ${path}`);
  const routeLabel = route ? path : 'unmatched';
  const stopTimer = options.metrics.httpDuration.startTimer({ route: routeLabel, method });
  let reply: Reply;
  try {
    reply = await dispatch(options, routes, route, request, path);
  } catch (error) {
    reply = errorReply(error, options.logger, routeLabel);
  }
  stopTimer();
  options.metrics.httpRequests.inc({ route: routeLabel, method, status: String(reply.status) });
  if (reply.status >= 500)
    options.metrics.httpErrors.inc({ route: routeLabel, status: String(reply.status) });
  send(response, reply.status, reply.body);
}

async function dispatch(
  options: ServiceOptions,
  routes: Map<string, Route>,
  route: Route | undefined,
  request: IncomingMessage,
  path: string,
): Promise<Reply> {
  if (!route) {
    const allowed = [...routes.values()]
      .filter((candidate) => candidate.path === path)
      .map((candidate) => candidate.method);
    if (allowed.length > 0)
      throw new HttpError(
        405,
        `method ${request.method} is not allowed on ${path}; use ${allowed.join(', ')}`,
      );
    throw new HttpError(404, `no route ${request.method} ${path}`);
  }
  if (route.admin && !isAuthorised(request.headers.authorization, options.adminToken ?? '')) {
    throw new HttpError(401, 'admin endpoint: send Authorization: Bearer <ADMIN_TOKEN>');
  }
  const body =
    route.method === 'POST'
      ? await readJson(request, options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES)
      : undefined;
  return route.handler(body, request);
}

export interface RunningService {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** Starts the HTTP server; rejects when an admin route exists without an admin token. */
export async function startService(options: ServiceOptions): Promise<RunningService> {
  if (options.routes.some((route) => route.admin) && !options.adminToken) {
    throw new Error(`${options.name} has admin endpoints: set ADMIN_TOKEN`);
  }
  const routes = new Map<string, Route>();
  for (const route of [...builtInRoutes(options), ...options.routes])
    routes.set(`${route.method} ${route.path}`, route);

  const server = createServer((request, response) => {
    handle(options, routes, request, response).catch((error: unknown) => {
      options.logger.error({ err: error }, 'failed to send a response');
      if (!response.headersSent) send(response, 500, { error: 'internal error' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host}:${port}`;
  options.logger.info({ url }, 'listening');
  return {
    server,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

/**
 * Runs a service's main function and shuts it down on SIGTERM or SIGINT: `stop` runs once, and a
 * second signal exits at once. A failed start logs the error and exits with status 1.
 */
export function runService(logger: Logger, main: () => Promise<() => Promise<void>>): void {
  let stop: (() => Promise<void>) | undefined;
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'stopping');
    const done = stop ? stop() : Promise.resolve();
    done.then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  main().then(
    (stopService) => {
      stop = stopService;
    },
    (error: unknown) => {
      logger.fatal({ err: error }, 'start failed');
      setTimeout(() => process.exit(1), 50);
    },
  );
}
