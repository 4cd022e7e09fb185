import type { Pool } from 'undici';
import { classifyError, classifyStatus, type ErrorKind } from './classify.ts';
import type { PlannedRequest } from './plan.ts';
import { asText, readField } from './template.ts';

/** The result of one sent request, before latency is added. `cancelled` means the run was aborted. */
export type SendResult =
  | { kind: 'success' | ErrorKind; checked: boolean; cancelled: false }
  | { cancelled: true };

/** Largest response body read to check an answer; larger bodies are wrong answers. */
const MAX_ANSWER_BYTES = 1_048_576;

/**
 * Sends one planned request through `pool` and classifies how it ended. Aborting `runSignal`
 * cancels it; `timeoutMs` bounds the whole exchange, body included.
 */
export async function sendRequest(
  pool: Pool,
  path: string,
  request: PlannedRequest,
  timeoutMs: number,
  runSignal: AbortSignal,
): Promise<SendResult> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onRunAbort = () => controller.abort();
  runSignal.addEventListener('abort', onRunAbort, { once: true });

  try {
    const response = await pool.request({
      path,
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: controller.signal,
    });
    const statusError = classifyStatus(response.statusCode, request.acceptedStatuses);
    if (statusError !== undefined || request.answer === undefined) {
      await response.body.dump({ limit: MAX_ANSWER_BYTES, signal: controller.signal });
      return {
        kind: statusError ?? 'success',
        checked: statusError === 'wrong_answer',
        cancelled: false,
      };
    }
    const text = await response.body.text();
    return { kind: checkAnswer(text, request.answer), checked: true, cancelled: false };
  } catch (error) {
    if (runSignal.aborted && !timedOut) return { cancelled: true };
    return { kind: classifyError(error, timedOut), checked: false, cancelled: false };
  } finally {
    clearTimeout(timer);
    runSignal.removeEventListener('abort', onRunAbort);
  }
}

function checkAnswer(
  text: string,
  answer: { field: string; expected: string },
): 'success' | 'wrong_answer' {
  if (text.length > MAX_ANSWER_BYTES) return 'wrong_answer';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'wrong_answer';
  }
  const actual = readField(parsed, answer.field);
  if (actual === undefined) return 'wrong_answer';
  return asText(actual) === answer.expected ? 'success' : 'wrong_answer';
}
