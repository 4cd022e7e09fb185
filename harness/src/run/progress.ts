import { formatDurationMs } from '../../../common/src/config/fields.ts';
import { isInteractive, paint, print } from '../cli/output.ts';
import type { SliSampleInput } from '../score/record.ts';

/** What the runner tells people while it works. Observers never throw into the run. */
export interface Progress {
  phase(name: string, detail?: string): void;
  fault(name: string, event: 'injected' | 'reverted' | 'failed', detail?: string): void;
  sample(sample: SliSampleInput, activeFaults: string[]): void;
  note(line: string): void;
  /** Clears the live status line before other output follows. */
  done(): void;
}

function formatSample(sample: SliSampleInput): string {
  const ms = (value: number | null) => (value === null ? '–' : `${Math.round(value)}ms`);
  const errors = sample.errorRate === null ? '–' : `${(sample.errorRate * 100).toFixed(1)}%`;
  const probe =
    sample.probe === null || sample.probe === undefined
      ? ''
      : ` probe ${(sample.probe * 100).toFixed(0)}%`;
  return `t=${formatDurationMs(Math.max(0, Math.round(sample.tMs / 1000) * 1000))} ${sample.throughputRps.toFixed(1)} ok/s, errors ${errors}, p95 ${ms(sample.latencyP95Ms)}${probe}`;
}

/**
 * Progress for people: on a TTY one status line rewritten in place (phase, active faults, current
 * SLIs); otherwise plain lines, with SLIs every 5 seconds so CI logs stay short.
 */
export class ConsoleProgress implements Progress {
  private readonly live = isInteractive();
  private currentPhase = '';
  private lastPlainSampleMs = Number.NEGATIVE_INFINITY;
  private statusShown = false;

  constructor(private readonly prefix: string) {}

  phase(name: string, detail?: string): void {
    this.currentPhase = name;
    this.line(`${paint('cyan', name)}${detail ? ` ${detail}` : ''}`);
  }

  fault(name: string, event: 'injected' | 'reverted' | 'failed', detail?: string): void {
    const style = event === 'failed' ? 'red' : event === 'injected' ? 'yellow' : 'green';
    this.line(`fault ${name} ${paint(style, event)}${detail ? `: ${detail}` : ''}`);
  }

  sample(sample: SliSampleInput, activeFaults: string[]): void {
    const faults = activeFaults.length > 0 ? ` | faults: ${activeFaults.join(', ')}` : '';
    const text = `${this.currentPhase} | ${formatSample(sample)}${faults}`;
    if (this.live) {
      // The only in-place write: a status line that the next line of output replaces.
      process.stdout.write(`\r\u001b[2K${this.prefix} ${text}`);
      this.statusShown = true;
      return;
    }
    if (sample.tMs - this.lastPlainSampleMs < 5_000) return;
    this.lastPlainSampleMs = sample.tMs;
    this.line(text);
  }

  note(line: string): void {
    this.line(line);
  }

  done(): void {
    this.clearStatus();
  }

  private line(text: string): void {
    this.clearStatus();
    print(`${this.prefix} ${text}`);
  }

  private clearStatus(): void {
    if (!this.statusShown) return;
    process.stdout.write('\r\u001b[2K');
    this.statusShown = false;
  }
}
