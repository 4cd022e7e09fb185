import type { Actuator } from './actuator.ts';
import { callJson } from './http.ts';

/**
 * Actuator for the `process` runtime: its supervisor API on loopback, with a bearer token.
 * `POST /v1/components/:name/restart` and `POST /v1/components/:name/kill {signal}`.
 */
export class SupervisorActuator implements Actuator {
  readonly platform = 'process';

  constructor(
    private readonly url: string,
    private readonly token: string,
    private readonly timeoutMs = 30_000,
  ) {}

  async restart(component: string): Promise<void> {
    await callJson('POST', this.componentUrl(component, 'restart'), this.token, {}, this.timeoutMs);
  }

  async kill(component: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await callJson(
      'POST',
      this.componentUrl(component, 'kill'),
      this.token,
      { signal },
      this.timeoutMs,
    );
  }

  private componentUrl(component: string, verb: string): string {
    return `${this.url.replace(/\/$/, '')}/v1/components/${encodeURIComponent(component)}/${verb}`;
  }
}
