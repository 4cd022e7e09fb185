import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { monotonicNowMs } from '../../../../common/src/clock.ts';
import { RuntimeFailure, UsageError } from '../../errors.ts';
import type { Command } from '../command.ts';
import { parseOptions } from '../command.ts';
import { print } from '../output.ts';

/**
 * `rebound approvals`, plus the HTTP client that `approve` and `deny` share. The healer is reached
 * only over its approval API, never by importing its code.
 */
const DEFAULT_INFO_FILE = '.rebound/healer.json';

export const healerOptions = {
  healer: { type: 'string' },
  token: { type: 'string' },
  'info-file': { type: 'string' },
} as const;

export interface HealerAddress {
  url: string;
  token: string;
}

/** Takes the address from `--healer` and `--token`, else from the file the healer writes on start. */
export function resolveHealer(values: {
  healer?: string;
  token?: string;
  'info-file'?: string;
}): HealerAddress {
  const file = resolve(values['info-file'] ?? DEFAULT_INFO_FILE);
  let fromFile: Partial<HealerAddress> = {};
  if ((values.healer === undefined || values.token === undefined) && existsSync(file)) {
    try {
      fromFile = JSON.parse(readFileSync(file, 'utf8')) as Partial<HealerAddress>;
    } catch (error) {
      throw new UsageError(
        `cannot read ${file}: ${(error as Error).message}; pass --healer and --token`,
      );
    }
  }
  const url = values.healer ?? fromFile.url;
  const token = values.token ?? fromFile.token;
  if (url === undefined || token === undefined) {
    throw new UsageError(
      `no healer address: ${file} does not exist (is the healer running?); pass --healer URL --token T`,
    );
  }
  return { url: url.replace(/\/$/, ''), token };
}

/** Calls the healer's API and returns the parsed JSON response. HTTP and connection failures become errors. */
export async function callHealer(
  address: HealerAddress,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(`${address.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${address.token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    const reason =
      ((error as Error).cause as Error | undefined)?.message ?? (error as Error).message;
    throw new RuntimeFailure(`cannot reach the healer at ${address.url}: ${reason}`, {
      cause: error,
    });
  }
  const answer = (await response.json().catch(() => ({}))) as { error?: string };
  if (response.status === 404 && method === 'POST')
    throw new UsageError(answer.error ?? `not found: ${path}`);
  if (!response.ok) {
    throw new RuntimeFailure(
      `healer returned ${response.status} to ${method} ${path}: ${answer.error ?? 'no message'}`,
    );
  }
  return answer;
}

/** Sends a grant or deny for one approval; `by` defaults to the local user name. */
export async function decideApproval(
  argv: string[],
  verb: 'grant' | 'deny',
  usage: string,
): Promise<number> {
  const { values, positionals } = parseOptions(
    argv,
    { ...healerOptions, by: { type: 'string' } },
    usage,
  );
  const [id, ...extra] = positionals;
  if (id === undefined || extra.length > 0)
    throw new UsageError(`expected one approval id\nusage: ${usage}`);
  const address = resolveHealer(values);
  const by = `cli:${values.by ?? userInfo().username}`;
  const answer = (await callHealer(
    address,
    'POST',
    `/v1/approvals/${encodeURIComponent(id)}/${verb}`,
    { by },
  )) as {
    decidedBy?: string;
  };
  print(`${verb === 'grant' ? 'granted' : 'denied'} ${id} (decided by ${answer.decidedBy ?? by})`);
  return 0;
}

interface PendingApproval {
  id: string;
  action: string;
  service: string;
  signal: string;
  requestedAtMs: number;
  expiresAtMs: number;
}

const usage = 'rebound approvals [--healer URL --token T] [--info-file .rebound/healer.json]';

/** Lists the healer's pending approval requests, newest last. */
export const command: Command = {
  summary: 'list remediations waiting for approval',
  usage,
  async run(argv) {
    const { values } = parseOptions(argv, healerOptions, usage);
    const address = resolveHealer(values);
    const { approvals } = (await callHealer(address, 'GET', '/v1/approvals')) as {
      approvals: PendingApproval[];
    };
    if (approvals.length === 0) {
      print('no pending approvals');
      return 0;
    }
    for (const approval of approvals) {
      // The healer stamps requests on the system-wide monotonic clock, which this process shares.
      const remainingS = Math.max(0, (approval.expiresAtMs - monotonicNowMs()) / 1_000);
      print(
        `${approval.id}  ${approval.action} on ${approval.service} (${approval.signal}), expires in ${remainingS.toFixed(0)} s`,
      );
    }
    print(`\nrebound approve <id> or rebound deny <id> decides one.`);
    return 0;
  },
};
