import { duration } from '../../../common/src/config/fields.ts';
import { defineToxicKind } from './toxic.ts';

/** Delays the data on an edge by `latency` ± `jitter`. */
export const latency = defineToxicKind({
  kind: 'latency',
  description: 'delay the data on an edge by latency ± jitter',
  attributes: {
    latency: duration(),
    jitter: duration().default(0),
  },
  toAttributes: (params) => ({ latency: params.latency, jitter: params.jitter }),
});
