import { duration } from '../../../common/src/config/fields.ts';
import { defineToxicKind } from './toxic.ts';

/**
 * Lets no data through and closes each connection after `timeout`. With `timeout: 0ms` the
 * connections stay open and silent until the toxic is removed.
 */
export const timeout = defineToxicKind({
  kind: 'timeout',
  description: 'stop all data on an edge and close connections after timeout (0ms: never)',
  attributes: {
    timeout: duration(),
  },
  toAttributes: (params) => ({ timeout: params.timeout }),
});
