import { callJson } from './http.ts';

export type DegradedMode = 'no-neighbours' | 'previous-model' | 'shed-load';

/** The services' own admin endpoints, each behind the stack's admin token. */
export class AdminClient {
  constructor(
    private readonly serviceUrls: ReadonlyMap<string, string>,
    private readonly token: string,
    private readonly timeoutMs = 5_000,
  ) {}

  async setDegraded(
    service: string,
    mode: DegradedMode,
    enabled: boolean,
    ratio?: number,
  ): Promise<void> {
    await this.post(service, '/admin/degraded', { mode, enabled, ratio });
  }

  async clearCache(service: string): Promise<void> {
    await this.post(service, '/admin/cache/clear', {});
  }

  async rollbackModel(service: string): Promise<unknown> {
    return this.post(service, '/admin/rollback', {});
  }

  async currentModel(service: string): Promise<unknown> {
    return callJson(
      'GET',
      `${this.baseUrl(service)}/admin/model`,
      this.token,
      undefined,
      this.timeoutMs,
    );
  }

  private post(service: string, path: string, body: unknown): Promise<unknown> {
    return callJson('POST', `${this.baseUrl(service)}${path}`, this.token, body, this.timeoutMs);
  }

  private baseUrl(service: string): string {
    const url = this.serviceUrls.get(service);
    if (url === undefined)
      throw new Error(`no node service named "${service}" in the endpoints file`);
    return url;
  }
}
