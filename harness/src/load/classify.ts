/** Kinds of request failure. `overload` means it was never sent because too many were in flight. */
export const errorKinds = [
  'timeout',
  'reset',
  'refused',
  'http_5xx',
  'http_4xx',
  'wrong_answer',
  'overload',
  'other',
] as const;
export type ErrorKind = (typeof errorKinds)[number];

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);
const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/**
 * Classifies an error thrown by an undici request. `timedOut` is true when the generator's own
 * per-request timer aborted it. Node wraps socket errors, so the code may sit on `cause`.
 */
export function classifyError(error: unknown, timedOut: boolean): ErrorKind {
  if (timedOut) return 'timeout';
  const code = errorCode(error) ?? errorCode((error as { cause?: unknown } | null)?.cause);
  if (code === 'ECONNREFUSED') return 'refused';
  if (code !== undefined && RESET_CODES.has(code)) return 'reset';
  if (code !== undefined && TIMEOUT_CODES.has(code)) return 'timeout';
  return 'other';
}

function errorCode(error: unknown): string | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Classifies an HTTP status. Returns undefined when the status is accepted: one of `accepted`, or
 * any 2xx when `accepted` is absent. A status outside the list that is neither 4xx nor 5xx (a 200
 * where 201 was expected, a redirect) is a wrong answer.
 */
export function classifyStatus(
  status: number,
  accepted?: readonly number[],
): ErrorKind | undefined {
  const ok = accepted ? accepted.includes(status) : status >= 200 && status < 300;
  if (ok) return undefined;
  if (status >= 500) return 'http_5xx';
  if (status >= 400) return 'http_4xx';
  return 'wrong_answer';
}
