import type { Command } from '../command.ts';
import { decideApproval } from './approvals.ts';

const usage = 'rebound deny <id> [--by NAME] [--healer URL --token T]';

/** Denies one pending approval; the healer takes no action for it. */
export const command: Command = {
  summary: 'deny a pending remediation',
  usage,
  run: (argv) => decideApproval(argv, 'deny', usage),
};
