import { request } from 'undici';
import { PermanentError } from './resilience/dependency.ts';

/**
 * Sends JSON to another stack service and returns the parsed response. A 4xx response throws
 * `PermanentError` (retrying the same request cannot help); a 5xx response or a network error throws
 * a plain error that the dependency guard may retry.
 */
export async function postJson<T>(
  baseUrl: string,
  path: string,
  body: unknown,
  signal: AbortSignal,
  headers: Record<string, string> = {},
): Promise<T> {
  const response = await request(new URL(path, baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal,
  });
  return readAnswer<T>(response, `POST ${path}`);
}

export async function getJson<T>(baseUrl: string, path: string, signal: AbortSignal): Promise<T> {
  const response = await request(new URL(path, baseUrl), { method: 'GET', signal });
  return readAnswer<T>(response, `GET ${path}`);
}

async function readAnswer<T>(
  response: Awaited<ReturnType<typeof request>>,
  what: string,
): Promise<T> {
  const text = await response.body.text();
  if (response.statusCode >= 400 && response.statusCode < 500) {
    throw new PermanentError(
      `${what} was rejected with ${response.statusCode}: ${text.slice(0, 300)}`,
    );
  }
  if (response.statusCode >= 500)
    throw new Error(`${what} failed with ${response.statusCode}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}
