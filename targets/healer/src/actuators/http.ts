import { ActuationError } from './actuator.ts';

/** Sends one authenticated JSON request and rejects unless the answer is 2xx. */
export async function callJson(
  method: 'GET' | 'POST',
  url: string,
  token: string,
  body: unknown,
  timeoutMs: number,
): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new ActuationError(`${method} ${url} failed: ${(error as Error).message}`);
  }
  const text = await response.text();
  if (!response.ok) {
    throw new ActuationError(`${method} ${url} answered ${response.status}: ${text.slice(0, 200)}`);
  }
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}
