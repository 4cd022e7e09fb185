import { duration } from '../../../common/src/config/fields.ts';
import { defineToxicKind } from './toxic.ts';

/** Holds each connection on an edge open for `delay` after it should have closed. */
export const slow_close = defineToxicKind({
  kind: 'slow_close',
  description: 'delay the closing of each connection on an edge',
  attributes: {
    delay: duration(),
  },
  toAttributes: (params) => ({ delay: params.delay }),
});
