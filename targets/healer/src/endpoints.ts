import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * The fields of `<runDir>/endpoints.json` that the healer reads. The runtime writes more; unknown
 * fields are ignored so that the runtime may grow the file without breaking the healer.
 */
const componentSchema = z.object({
  type: z.enum(['postgres', 'redis', 'node']),
  url: z.string(),
});

export const endpointsSchema = z.object({
  adminToken: z.string().min(1),
  components: z.record(z.string(), componentSchema),
  supervisor: z.object({ url: z.string().url(), token: z.string().min(1) }),
});

export type Endpoints = z.infer<typeof endpointsSchema>;

/** Reads and validates the endpoints file; the error names the file and every invalid field. */
export function loadEndpoints(file: string): Endpoints {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read endpoints file ${file}: ${(error as Error).message}`);
  }
  const result = endpointsSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.')}: ${issue.message}`,
    );
    throw new Error(`invalid endpoints file ${file}: ${problems.join('; ')}`);
  }
  return result.data;
}

/** Base URLs of the node services, keyed by topology name. */
export function nodeServiceUrls(endpoints: Endpoints): Map<string, string> {
  const urls = new Map<string, string>();
  for (const [name, component] of Object.entries(endpoints.components)) {
    if (component.type === 'node') urls.set(name, component.url.replace(/\/$/, ''));
  }
  return urls;
}
