import pino, { type Logger } from 'pino';

/**
 * Creates the structured logger of one component. Logs go to standard error as JSON lines, so a
 * supervisor captures them beside the process's output. `LOG_LEVEL` sets the level.
 */
export function createLogger(component: string, fields: Record<string, unknown> = {}): Logger {
  return pino(
    {
      name: component,
      level: process.env.LOG_LEVEL ?? 'info',
      base: { component, pid: process.pid, ...fields },
    },
    pino.destination({ fd: 2, sync: false }),
  );
}

export type { Logger };
