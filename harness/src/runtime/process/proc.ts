import { readdirSync, readFileSync } from 'node:fs';

/**
 * Reads process facts from Linux's `/proc`. The runtime uses them to observe the effect of a signal
 * (exited, stopped) and to recognise its own processes after a crash despite pid reuse.
 */

interface ProcStat {
  /** One letter: R running, S sleeping, T stopped, Z zombie, and so on (proc(5)). */
  state: string;
  pgid: number;
  /** Clock ticks after boot when the process started; with the pid it identifies one process. */
  startTime: number;
}

export function readProcStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name, field 2, is in parentheses and may contain spaces, so split after the last one.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const pgid = Number(fields[2]);
  const startTime = Number(fields[19]);
  if (state === undefined || Number.isNaN(pgid) || Number.isNaN(startTime)) return undefined;
  return { state, pgid, startTime };
}

/** Whether the process exists and is not a zombie waiting to be reaped. */
export function isAlive(pid: number): boolean {
  const stat = readProcStat(pid);
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
}

/** Whether the process is stopped by a signal (state `T`). */
export function isStopped(pid: number): boolean {
  return readProcStat(pid)?.state === 'T';
}

/** Whether `pid` still names the process that started at `startTime` (ticks after boot). */
export function isSameProcess(pid: number, startTime: number): boolean {
  const stat = readProcStat(pid);
  return stat !== undefined && stat.startTime === startTime && isAlive(pid);
}

/** Whether any process of the group is alive, zombies excluded. */
export function groupHasLiveMembers(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  return listGroupMembers(pgid).some(isAlive);
}

function listGroupMembers(pgid: number): number[] {
  const pids = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number);
  return pids.filter((pid) => readProcStat(pid)?.pgid === pgid);
}

/** Sends a signal to a process group and reports whether the group existed. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** Polls `condition` every `intervalMs` until it holds; returns false once `timeoutMs` passed. */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  intervalMs = 20,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
