import { dirname, isAbsolute, resolve } from 'node:path';
import { loadConfigFile } from '../../../../common/src/config/load.ts';
import { type Policy, policySchema } from './schema.ts';

/**
 * Loads a policy file, reporting every problem at once as `file:line:column path: message`
 * (a `ConfigError`), and resolves the canary's golden file against the policy's folder.
 */
export function loadPolicy(file: string): Policy {
  const policy = loadConfigFile(file, policySchema);
  const canary = policy.telemetry.canary;
  if (canary && !isAbsolute(canary.golden)) {
    canary.golden = resolve(dirname(file), canary.golden);
  }
  return policy;
}
