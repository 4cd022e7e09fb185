import type { Actuator } from '../actuators/actuator.ts';
import type { AdminClient } from '../actuators/admin.ts';
import type { PlaybookSpec } from '../policy/schema.ts';

export type ActionFunction = (
  target: string,
  undo: boolean,
) => Promise<Record<string, unknown> | undefined>;

/**
 * Maps a playbook's action to the actuator (platform operations) or the services' admin endpoints.
 * `undo` is meaningful for degraded modes only: it switches the mode off again.
 */
export function actionFor(
  spec: PlaybookSpec,
  actuator: Actuator,
  admin: AdminClient,
): ActionFunction {
  switch (spec.action) {
    case 'restart':
      return async (target) => {
        await actuator.restart(target);
        return { platform: actuator.platform };
      };
    case 'kill':
      return async (target) => {
        await actuator.kill(target);
        return { platform: actuator.platform };
      };
    case 'degrade':
    case 'shed-load': {
      const mode = spec.action === 'shed-load' ? 'shed-load' : (spec.mode ?? 'no-neighbours');
      return async (target, undo) => {
        await admin.setDegraded(target, mode, !undo, spec.ratio);
        return { mode, enabled: !undo, ratio: spec.ratio };
      };
    }
    case 'cache.clear':
      return async (target) => {
        await admin.clearCache(target);
        return undefined;
      };
    case 'model.rollback':
      return async (target) => {
        const before = await admin.currentModel(target).catch(() => undefined);
        const after = await admin.rollbackModel(target);
        return { before, after };
      };
    case 'reindex':
    case 'schema.change':
      // TODO: no service of the reference stack offers reindex or schema change yet; the
      // action fails (and escalates) until one does.
      return async () => {
        throw new Error(`action ${spec.action} is not implemented by this healer`);
      };
  }
}
