import type { Logger } from '../../../common/src/log.ts';
import type { DataLoss } from '../score/record.ts';

/** Ids per lookup request, so a long run does not send one huge body. */
const LOOKUP_BATCH = 500;

/**
 * Asks the stack which acknowledged writes its store holds: `POST <lookup> {ids}` responds with
 * `{found: [...], missing: [...]}`.
 */
export async function checkDataLoss(
  lookupUrl: URL,
  acknowledgedIds: Iterable<string>,
  adminToken: string,
  logger: Logger,
): Promise<DataLoss> {
  const ids = [...acknowledgedIds];
  const missing: string[] = [];
  let found = 0;
  for (let start = 0; start < ids.length; start += LOOKUP_BATCH) {
    const batch = ids.slice(start, start + LOOKUP_BATCH);
    const response = await fetch(lookupUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({ ids: batch }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) {
      throw new Error(`data-loss lookup ${lookupUrl.pathname} failed with HTTP ${response.status}`);
    }
    const body = (await response.json()) as { found?: string[] };
    const present = new Set(body.found ?? []);
    found += present.size;
    for (const id of batch) if (!present.has(id)) missing.push(id);
  }
  logger.info({ acknowledged: ids.length, found, missing: missing.length }, 'data-loss check');
  return { acknowledged: ids.length, found, missing };
}
