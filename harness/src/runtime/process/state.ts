import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '../../../../common/src/log.ts';
import {
  groupHasLiveMembers,
  isAlive,
  isSameProcess,
  readProcStat,
  signalGroup,
  waitUntil,
} from './proc.ts';
import { projectRoot } from './tools.ts';

const log = createLogger('runtime');

/** Folder of the state files of running stacks, one JSON file per run. */
export const defaultStateDir = join(projectRoot, '.rebound', 'state');

export interface ProcessRecord {
  name: string;
  pid: number;
  pgid: number;
  /** Clock ticks after boot, from `/proc/<pid>/stat`; guards against a reused pid. */
  startTime: number;
}

/**
 * A running stack as recorded on disk, so that `rebound stack status` and `down` work from another
 * shell and the next start can clean up after a run whose owner crashed.
 */
export interface RunState {
  version: 1;
  runId: string;
  ownerPid: number;
  ownerStartTime: number;
  topology: string;
  runDir: string;
  /** Name of the program that started the run, such as `stack up`; `stack down` stops only those. */
  label?: string;
  startedAt: string;
  endpointsFile: string;
  supervisor?: { url: string; token: string };
  /** Folders deleted on teardown, including when a crashed run is reaped. */
  dataDirs: string[];
  processes: ProcessRecord[];
}

export function stateFile(stateDir: string, runId: string): string {
  return join(stateDir, `${runId}.json`);
}

/** Writes the state through a temporary file and a rename, so readers never see half of it. */
export function writeState(stateDir: string, state: RunState): void {
  mkdirSync(stateDir, { recursive: true });
  const file = stateFile(stateDir, state.runId);
  const scratch = `${file}.${process.pid}.tmp`;
  writeFileSync(scratch, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(scratch, file);
}

export function removeState(stateDir: string, runId: string): void {
  rmSync(stateFile(stateDir, runId), { force: true });
}

/** Reads every state file in `stateDir`; unreadable ones are logged and skipped. */
export function readStates(stateDir: string): RunState[] {
  let entries: string[];
  try {
    entries = readdirSync(stateDir).filter((entry) => entry.endsWith('.json'));
  } catch {
    return [];
  }
  const states: RunState[] = [];
  for (const entry of entries) {
    try {
      const state = JSON.parse(readFileSync(join(stateDir, entry), 'utf8')) as RunState;
      if (state.version === 1 && Array.isArray(state.processes)) states.push(state);
      else log.warn({ file: entry }, 'skipped a state file of an unknown version');
    } catch (error) {
      log.warn({ file: entry, err: error }, 'skipped an unreadable state file');
    }
  }
  return states;
}

export function ownerIsAlive(state: RunState): boolean {
  return isSameProcess(state.ownerPid, state.ownerStartTime);
}

/**
 * Whether a recorded group still contains processes of that run. The kernel does not hand out a pid
 * that is still in use as a group id, so a live group whose leader is gone is that run's orphans.
 */
function groupIsOurs(record: ProcessRecord): boolean {
  if (isAlive(record.pid)) return readProcStat(record.pid)?.startTime === record.startTime;
  return groupHasLiveMembers(record.pgid);
}

/** Kills every recorded process group with SIGKILL, deletes the data folders and the state file. */
export async function reapRun(stateDir: string, state: RunState): Promise<void> {
  const groups = state.processes.filter(groupIsOurs).map((record) => record.pgid);
  for (const pgid of groups) signalGroup(pgid, 'SIGKILL');
  const gone = await waitUntil(() => groups.every((pgid) => !groupHasLiveMembers(pgid)), 5_000);
  if (!gone) log.error({ runId: state.runId, groups }, 'process groups survived SIGKILL');

  for (const folder of state.dataDirs) rmSync(folder, { recursive: true, force: true });
  removeState(stateDir, state.runId);
  log.info({ runId: state.runId, killedGroups: groups.length }, 'reaped a stack left behind');
}

/** Reaps every recorded run whose owner process is gone; returns their run ids. */
export async function reapCrashedRuns(stateDir: string): Promise<string[]> {
  const reaped: string[] = [];
  for (const state of readStates(stateDir)) {
    if (ownerIsAlive(state)) continue;
    await reapRun(stateDir, state);
    reaped.push(state.runId);
  }
  return reaped;
}
