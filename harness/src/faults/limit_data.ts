import { z } from 'zod';
import { defineToxicKind } from './toxic.ts';

/** Closes each connection on an edge once `bytes` have passed in the toxic's direction. */
export const limit_data = defineToxicKind({
  kind: 'limit_data',
  description: 'close each connection on an edge after it carried a number of bytes',
  attributes: {
    bytes: z.int({ error: 'expected a whole number of bytes' }).min(0),
  },
  toAttributes: (params) => ({ bytes: params.bytes }),
});
