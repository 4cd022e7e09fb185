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

export function print(line = ''): void {
  process.stdout.write(`${line}\n`);
}

export function printError(line: string): void {
  process.stderr.write(`${paint('red', 'error', process.stderr)} ${line}\n`);
}

export function isInteractive(): boolean {
  return Boolean(process.stdout.isTTY);
}
