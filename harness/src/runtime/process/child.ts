import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { groupHasLiveMembers, readProcStat, signalGroup, waitUntil } from './proc.ts';

/** How to start one process. */
export interface LaunchSpec {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Name shown in process listings, when it differs from the binary's file name. */
  argv0?: string;
  /** Run as this user; PostgreSQL refuses to run as root. */
  user?: { uid: number; gid: number };
}

/**
 * One child process, started in its own session and so its own process group, with standard output
 * and standard error appended to a log file. Signals go to the whole group, so a component that
 * forks (PostgreSQL does) is stopped, paused and killed as one.
 */
export class ManagedChild {
  exitCode: number | null | undefined;
  exitSignal: NodeJS.Signals | null | undefined;
  /** Resolves when the group leader has exited. */
  readonly exited: Promise<void>;

  private constructor(
    child: ChildProcess,
    readonly pid: number,
    /** Clock ticks after boot, from `/proc/<pid>/stat`; with the pid it identifies the process. */
    readonly startTime: number,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitCode = code;
        this.exitSignal = signal;
        resolve();
      });
    });
  }

  static async spawn(spec: LaunchSpec, logFile: string): Promise<ManagedChild> {
    const logFd = openSync(logFile, 'a');
    writeSync(
      logFd,
      `--- ${new Date().toISOString()} starting ${spec.command} ${spec.args.join(' ')}\n`,
    );
    let child: ChildProcess;
    try {
      child = spawn(spec.command, spec.args, {
        cwd: spec.cwd,
        env: spec.env,
        argv0: spec.argv0,
        detached: true,
        stdio: ['ignore', logFd, logFd],
        uid: spec.user?.uid,
        gid: spec.user?.gid,
      });
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
    } finally {
      closeSync(logFd);
    }
    child.unref();
    const pid = child.pid as number;
    return new ManagedChild(child, pid, readProcStat(pid)?.startTime ?? 0);
  }

  /** The group id: the child leads a new session, so its group id equals its pid. */
  get pgid(): number {
    return this.pid;
  }

  get hasExited(): boolean {
    return this.exitCode !== undefined;
  }

  /** Sends `signal` to the child's process group; returns false when the group is gone. */
  signal(signal: NodeJS.Signals): boolean {
    return signalGroup(this.pgid, signal);
  }

  /**
   * Sends `stopSignal` to the group, waits up to `graceMs` for the leader and every member to exit,
   * then sends SIGKILL to whatever is left. Resolves once nothing of the group is alive.
   */
  async terminate(stopSignal: NodeJS.Signals, graceMs: number): Promise<void> {
    const gone = () => this.hasExited && !groupHasLiveMembers(this.pgid);
    if (!this.hasExited) {
      this.signal(stopSignal);
      // A stopped process cannot act on SIGTERM until it is continued.
      this.signal('SIGCONT');
      if (await waitUntil(gone, graceMs)) return;
    }
    this.signal('SIGKILL');
    if (!(await waitUntil(gone, 5_000))) {
      throw new Error(`process group ${this.pgid} survived SIGKILL for 5 s`);
    }
  }

  /** Kills the whole group at once without waiting; for process exit, where nothing can wait. */
  killNow(): void {
    signalGroup(this.pgid, 'SIGKILL');
  }
}

/** Returns the last `count` lines of a log file, or an empty list when it cannot be read. */
export function tailLines(file: string, count: number): string[] {
  try {
    const size = statSync(file).size;
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, buffer, 0, length, size - length);
    } finally {
      closeSync(fd);
    }
    const lines = buffer.toString('utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    return lines.slice(-count);
  } catch {
    return [];
  }
}
