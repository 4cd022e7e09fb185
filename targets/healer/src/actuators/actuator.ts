/**
 * What the healer may do to a component on the platform that runs it, named by its topology name.
 * One implementation per platform: the `process` runtime's supervisor API now, Docker later.
 * Each call resolves once the platform accepted the request and rejects with the reason otherwise.
 */
export interface Actuator {
  readonly platform: string;
  restart(component: string): Promise<void>;
  kill(component: string, signal?: NodeJS.Signals): Promise<void>;
}

/** A platform or admin call that failed; the message names the call and the answer. */
export class ActuationError extends Error {
  override name = 'ActuationError';
}
