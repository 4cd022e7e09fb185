import { z } from 'zod';
import { defineToxicKind } from './toxic.ts';

/** Caps the throughput of each connection on an edge. */
export const bandwidth = defineToxicKind({
  kind: 'bandwidth',
  description: 'cap each connection on an edge at rate KB/s',
  attributes: {
    /** Kilobytes per second. Toxiproxy v2.12 counts 1 KB as 1,000 bytes and treats 0 as no limit. */
    rate: z.int({ error: 'expected a whole number of KB/s' }).min(1),
  },
  toAttributes: (params) => ({ rate: params.rate }),
});
