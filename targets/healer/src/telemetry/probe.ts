import { request } from 'node:http';

export type ProbeFailure = 'refused' | 'reset' | 'timeout' | 'status' | 'error';

export interface ProbeResult {
  ok: boolean;
  latencyMs: number;
  status?: number;
  failure?: ProbeFailure;
  message?: string;
}

/**
 * Sends one GET on a fresh connection (no keep-alive), so a dead process shows up as a refused
 * connection at once and a stopped one as a timeout, instead of hiding behind a pooled socket.
 */
export function probeOnce(url: string, timeoutMs: number): Promise<ProbeResult> {
  const startedAt = performance.now();
  const elapsed = () => performance.now() - startedAt;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: Omit<ProbeResult, 'latencyMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve({ ...result, latencyMs: elapsed() });
    };
    const req = request(url, { method: 'GET', agent: false }, (response) => {
      response.resume();
      const status = response.statusCode ?? 0;
      const ok = status >= 200 && status < 300;
      response.on('end', () => finish(ok ? { ok, status } : { ok, status, failure: 'status' }));
      response.on('error', (error) =>
        finish({ ok: false, failure: 'reset', message: error.message }),
      );
    });
    const timer = setTimeout(
      () => finish({ ok: false, failure: 'timeout', message: `no answer within ${timeoutMs} ms` }),
      timeoutMs,
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      const failure: ProbeFailure =
        error.code === 'ECONNREFUSED'
          ? 'refused'
          : error.code === 'ECONNRESET' || error.code === 'EPIPE'
            ? 'reset'
            : 'error';
      finish({ ok: false, failure, message: error.message });
    });
    req.end();
  });
}
