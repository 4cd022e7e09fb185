import { z } from 'zod';
import { duration } from '../../../common/src/config/fields.ts';
import { defineToxicKind } from './toxic.ts';

const bytes = () => z.int({ error: 'expected a whole number of bytes' }).min(1);

/** Splits the data on an edge into small packets with a pause between them. */
export const slicer = defineToxicKind({
  kind: 'slicer',
  description: 'split the data on an edge into packets of about average_size bytes, delay apart',
  attributes: {
    average_size: bytes(),
    size_variation: z.int({ error: 'expected a whole number of bytes' }).min(0).default(0),
    /** Pause between packets. Toxiproxy takes microseconds, so durations below 1ms cannot be written. */
    delay: duration().default(0),
  },
  toAttributes: (params) => ({
    average_size: params.average_size,
    size_variation: params.size_variation,
    delay: params.delay * 1_000,
  }),
  refine: (params) =>
    params.size_variation < params.average_size
      ? undefined
      : { param: 'size_variation', message: 'size_variation must be smaller than average_size' },
});
