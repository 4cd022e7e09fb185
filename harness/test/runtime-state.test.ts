import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive, readProcStat } from '../src/runtime/process/proc.ts';
import {
  type RunState,
  readStates,
  reapCrashedRuns,
  stateFile,
  writeState,
} from '../src/runtime/process/state.ts';

const folders: string[] = [];
const groups: number[] = [];

afterEach(() => {
  for (const pgid of groups.splice(0)) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {}
  }
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function scratch(): string {
  const folder = mkdtempSync(join(tmpdir(), 'rebound-state-'));
  folders.push(folder);
  return folder;
}

async function sleeper(): Promise<{ pid: number; startTime: number }> {
  const child = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
  await new Promise((resolve) => child.once('spawn', resolve));
  child.unref();
  const pid = child.pid as number;
  groups.push(pid);
  return { pid, startTime: readProcStat(pid)?.startTime as number };
}

function stateOf(fields: Partial<RunState>): RunState {
  return {
    version: 1,
    runId: 'run-1',
    ownerPid: process.pid,
    ownerStartTime: readProcStat(process.pid)?.startTime as number,
    topology: '/t.yaml',
    runDir: '/runs/1',
    startedAt: new Date().toISOString(),
    endpointsFile: '/runs/1/endpoints.json',
    dataDirs: [],
    processes: [],
    ...fields,
  };
}

describe('state file', () => {
  it('reads back what was written', () => {
    const dir = scratch();
    const state = stateOf({ runId: 'abc' });
    writeState(dir, state);
    expect(readStates(dir)).toEqual([state]);
  });

  it('skips unreadable files', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'broken.json'), '{ not json');
    writeState(dir, stateOf({ runId: 'good' }));
    expect(readStates(dir).map((state) => state.runId)).toEqual(['good']);
  });

  it('reads nothing from a missing folder', () => {
    expect(readStates(join(scratch(), 'missing'))).toEqual([]);
  });
});

describe('reaping crashed runs', () => {
  it('kills the groups and data of a run whose owner is gone', async () => {
    const dir = scratch();
    const dataDir = join(scratch(), 'data');
    mkdirSync(dataDir);
    const leftover = await sleeper();
    const owner = await sleeper();
    process.kill(-owner.pid, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 100));
    writeState(
      dir,
      stateOf({
        runId: 'crashed',
        ownerPid: owner.pid,
        ownerStartTime: owner.startTime,
        dataDirs: [dataDir],
        processes: [{ name: 'sleeper', pgid: leftover.pid, ...leftover }],
      }),
    );

    expect(await reapCrashedRuns(dir)).toEqual(['crashed']);
    expect(isAlive(leftover.pid)).toBe(false);
    expect(existsSync(dataDir)).toBe(false);
    expect(existsSync(stateFile(dir, 'crashed'))).toBe(false);
  });

  it('leaves runs whose owner is alive', async () => {
    const dir = scratch();
    const running = await sleeper();
    writeState(
      dir,
      stateOf({
        runId: 'live',
        processes: [{ name: 'sleeper', pgid: running.pid, ...running }],
      }),
    );

    expect(await reapCrashedRuns(dir)).toEqual([]);
    expect(isAlive(running.pid)).toBe(true);
  });

  it('spares a process that reused a recorded pid', async () => {
    const dir = scratch();
    const bystander = await sleeper();
    writeState(
      dir,
      stateOf({
        runId: 'stale',
        ownerPid: 999_999_999,
        processes: [
          {
            name: 'old',
            pid: bystander.pid,
            pgid: bystander.pid,
            startTime: bystander.startTime - 1,
          },
        ],
      }),
    );

    expect(await reapCrashedRuns(dir)).toEqual(['stale']);
    expect(isAlive(bystander.pid)).toBe(true);
  });
});
