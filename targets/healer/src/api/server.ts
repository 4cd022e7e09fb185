import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HealerEvent } from '../../../../common/src/events.ts';
import type { Logger } from '../../../../common/src/log.ts';
import type { ApprovalDesk } from '../engine/approvals.ts';
import type { EventLog } from '../engine/event-log.ts';

export interface ApiOptions {
  port: number;
  token: string;
  events: EventLog;
  approvals: ApprovalDesk;
  log: Logger;
  /** Interval of the blank heartbeat line on a followed event stream; readers skip blank lines. */
  heartbeatMs?: number;
}

type Handler = (
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  match: RegExpExecArray,
) => Promise<void> | void;

const DECISION_PATH = /^\/v1\/approvals\/([^/]+)\/(grant|deny)$/;

/**
 * Starts the healer's HTTP API on 127.0.0.1: `/healthz` (open), and with a bearer token the event stream
 * (`GET /v1/events?since=<seq>&follow=true`, NDJSON) and the approvals (`GET /v1/approvals`,
 * `POST /v1/approvals/:id/grant|deny {by}`).
 */
export async function startApi(options: ApiOptions): Promise<{ server: Server; url: string }> {
  const routes: Array<[string, RegExp, Handler]> = [
    ['GET', /^\/v1\/events$/, (req, res, url) => streamEvents(options, req, res, url)],
    [
      'GET',
      /^\/v1\/approvals$/,
      (_req, res) => sendJson(res, 200, { approvals: options.approvals.list() }),
    ],
    ['POST', DECISION_PATH, (req, res, _url, match) => decide(options, req, res, match)],
  ];
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (request.method === 'GET' && url.pathname === '/healthz')
      return sendJson(response, 200, { status: 'ok' });
    const route = routes.find(
      ([method, pattern]) => pattern.test(url.pathname) && method === request.method,
    );
    if (route === undefined)
      return sendJson(response, 404, { error: `no route ${request.method} ${url.pathname}` });
    if (!authorized(request, options.token))
      return sendJson(response, 401, { error: 'missing or invalid bearer token' });
    const match = route[1].exec(url.pathname) as RegExpExecArray;
    Promise.resolve(route[2](request, response, url, match)).catch((error) => {
      options.log.error({ err: error, path: url.pathname }, 'request failed');
      if (!response.headersSent) sendJson(response, 500, { error: (error as Error).message });
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}` };
}

function authorized(request: IncomingMessage, token: string): boolean {
  const header = request.headers.authorization ?? '';
  const presented = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(token);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

function streamEvents(
  options: ApiOptions,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
): void {
  const since = Number(url.searchParams.get('since') ?? '0');
  if (!Number.isInteger(since) || since < 0) {
    sendJson(response, 400, {
      error: `invalid since "${url.searchParams.get('since')}": expected a sequence number ≥ 0`,
    });
    return;
  }
  response.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
  const write = (event: HealerEvent) => response.write(`${JSON.stringify(event)}\n`);
  // Replay and subscription run in one synchronous step, so no event can fall between them.
  for (const event of options.events.since(since)) write(event);
  if (url.searchParams.get('follow') !== 'true') {
    response.end();
    return;
  }
  const unsubscribe = options.events.subscribe(write);

  const heartbeat = setInterval(() => response.write('\n'), options.heartbeatMs ?? 5_000);
  request.on('close', () => {
    clearInterval(heartbeat);
    unsubscribe();
  });
}

async function decide(
  options: ApiOptions,
  request: IncomingMessage,
  response: ServerResponse,
  match: RegExpExecArray,
): Promise<void> {
  const id = decodeURIComponent(match[1] as string);
  const decision = match[2] === 'grant' ? 'granted' : 'denied';
  let body: { by?: unknown } = {};
  const text = await readBody(request);
  if (text.trim() !== '') {
    try {
      body = JSON.parse(text) as { by?: unknown };
    } catch {
      return sendJson(response, 400, { error: 'invalid JSON body: expected {"by": "<who>"}' });
    }
  }
  if (typeof body.by !== 'string' || body.by.trim() === '') {
    return sendJson(response, 400, {
      error: 'missing "by": say who decides, such as {"by": "cli:ada"}',
    });
  }
  const decidedBy = /^(cli|http|web):/.test(body.by) ? body.by : `http:${body.by}`;
  if (!options.approvals.decide(id, decision, decidedBy)) {
    return sendJson(response, 404, {
      error: `no pending approval "${id}"; it may have been decided or expired`,
    });
  }
  sendJson(response, 200, { id, decision, decidedBy });
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) throw new Error('request body over 64 KiB');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
