import { styleText } from 'node:util';

/**
 * The CLI's output layer: the only module that writes for people. Colour appears only when the
 * stream is a TTY and `NO_COLOR` is unset.
 */
type Style = Parameters<typeof styleText>[0];

function colourOn(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) && process.env.NO_COLOR === undefined;
}

export function paint(
  style: Style,
  text: string,
  stream: NodeJS.WriteStream = process.stdout,
): string {
  return colourOn(stream) ? styleText(style, text) : text;
}

/**
 * True once the reader of stdout has closed the pipe, as `rebound stack status | head -3` does.
 * Later lines are dropped, so a closed pipe neither crashes the CLI nor cuts short a run's cleanup.
 */
let stdoutClosed = false;
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  stdoutClosed = true;
});

export function print(line = ''): void {
  if (stdoutClosed) return;
  process.stdout.write(`${line}\n`);
}

export function printError(line: string): void {
  process.stderr.write(`${paint('red', 'error', process.stderr)} ${line}\n`);
}

export function isInteractive(): boolean {
  return Boolean(process.stdout.isTTY);
}
