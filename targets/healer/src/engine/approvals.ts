import { randomUUID } from 'node:crypto';
import type { ApprovalSettings } from '../policy/schema.ts';
import type { EventInput, EventLog } from './event-log.ts';

export type ApprovalDecision = 'granted' | 'denied' | 'expired';

export interface ApprovalRequest {
  service: string;
  signal: string;
  incidentId: string;
  action: string;
  evidence: Record<string, unknown>;
}

export interface PendingApproval extends ApprovalRequest {
  id: string;
  requestedAtMs: number;
  expiresAtMs: number;
}

interface Entry {
  approval: PendingApproval;
  settle: (decision: ApprovalDecision, decidedBy: string) => void;
}

/**
 * Approvals of high-risk actions. `auto` grants after the policy's delay, `deny` denies at once,
 * `manual` waits for a grant or deny over HTTP until the timeout. Silence means no action: an
 * expired request resolves as `expired`, never as granted.
 */
export class ApprovalDesk {
  private readonly pending = new Map<string, Entry>();

  constructor(
    private readonly settings: Pick<ApprovalSettings, 'mode' | 'timeout' | 'delay'>,
    private readonly events: EventLog,
    private readonly nowMs: () => number = Date.now,
  ) {}

  list(): PendingApproval[] {
    return [...this.pending.values()].map((entry) => entry.approval);
  }

  request(request: ApprovalRequest, signal?: AbortSignal): Promise<ApprovalDecision> {
    const id = randomUUID();
    const now = this.nowMs();
    const approval = {
      ...request,
      id,
      requestedAtMs: now,
      expiresAtMs: now + this.settings.timeout,
    };
    this.emit('approval.requested', approval, undefined, {
      mode: this.settings.mode,
      timeoutMs: this.settings.timeout,
    });

    return new Promise<ApprovalDecision>((resolve) => {
      const timers: NodeJS.Timeout[] = [];
      const settle = (decision: ApprovalDecision, decidedBy: string) => {
        if (!this.pending.delete(id)) return;
        for (const timer of timers) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.emit(`approval.${decision}`, approval, decidedBy, {});
        resolve(decision);
      };
      const onAbort = () => settle('expired', 'healer:shutdown');
      this.pending.set(id, { approval, settle });
      signal?.addEventListener('abort', onAbort, { once: true });

      timers.push(setTimeout(() => settle('expired', 'timeout'), this.settings.timeout));
      if (this.settings.mode === 'deny') settle('denied', 'policy:deny');
      if (this.settings.mode === 'auto') {
        timers.push(setTimeout(() => settle('granted', 'policy:auto'), this.settings.delay));
      }
    });
  }

  /** Records a person's decision; returns false when no such request is pending. */
  decide(id: string, decision: 'granted' | 'denied', decidedBy: string): boolean {
    const entry = this.pending.get(id);
    if (entry === undefined) return false;
    entry.settle(decision, decidedBy);
    return true;
  }

  private emit(
    kind: EventInput['kind'],
    approval: PendingApproval,
    decidedBy: string | undefined,
    extra: Record<string, unknown>,
  ): void {
    this.events.emit({
      kind,
      service: approval.service,
      signal: approval.signal,
      incidentId: approval.incidentId,
      action: approval.action,
      approvalId: approval.id,
      decidedBy,
      evidence: { ...approval.evidence, ...extra, waitedMs: this.nowMs() - approval.requestedAtMs },
    });
  }
}
