import { duration } from '../../../common/src/config/fields.ts';
import { defineToxicKind } from './toxic.ts';

/** Resets each connection on an edge (TCP RST) at once, or after `timeout`. */
export const reset_peer = defineToxicKind({
  kind: 'reset_peer',
  description: 'reset each connection on an edge, at once or after timeout',
  attributes: {
    timeout: duration().default(0),
  },
  toAttributes: (params) => ({ timeout: params.timeout }),
});
