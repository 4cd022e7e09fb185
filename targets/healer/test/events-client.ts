import type { HealerEvent } from '../../../common/src/events.ts';

/** Follows the healer's event stream and keeps every event, the way the harness reads it. */
export class EventFollower {
  readonly events: HealerEvent[] = [];
  private readonly controller = new AbortController();
  private done: Promise<void> = Promise.resolve();

  constructor(
    private readonly url: string,
    private readonly token: string,
  ) {}

  start(): void {
    this.done = this.follow().catch((error: Error) => {
      if (!this.controller.signal.aborted) throw error;
    });
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.done;
  }

  /** Resolves with the first event that matches, or rejects after `timeoutMs`. */
  async waitFor(
    predicate: (event: HealerEvent) => boolean,
    timeoutMs: number,
  ): Promise<HealerEvent> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      const found = this.events.find(predicate);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(
      `no matching event within ${timeoutMs} ms; saw ${this.events.map((event) => `${event.kind}:${event.service}:${event.signal}`).join(', ')}`,
    );
  }

  private async follow(): Promise<void> {
    const response = await fetch(`${this.url}/v1/events?since=0&follow=true`, {
      headers: { authorization: `Bearer ${this.token}` },
      signal: this.controller.signal,
    });
    if (!response.ok || response.body === null)
      throw new Error(`event stream answered ${response.status}`);
    let buffer = '';
    for await (const chunk of response.body.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines)
        if (line.trim() !== '') this.events.push(JSON.parse(line) as HealerEvent);
    }
  }
}
