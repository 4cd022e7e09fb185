import type { Command } from '../command.ts';
import { decideApproval } from './approvals.ts';

const usage = 'rebound approve <id> [--by NAME] [--healer URL --token T]';

/** Grants one pending approval, so the healer runs the remediation. */
export const command: Command = {
  summary: 'grant a pending remediation',
  usage,
  run: (argv) => decideApproval(argv, 'grant', usage),
};
