import { randomBytes } from 'node:crypto';

/** Makes a sortable, unique run id such as `20261204-201530-vector-store-latency-3f9a`. */
export function makeRunId(name: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${name}-${randomBytes(2).toString('hex')}`;
}
