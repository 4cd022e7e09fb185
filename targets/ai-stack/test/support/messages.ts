import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Message, readMessages } from '../../lib/dataset.ts';
import { stackDir } from './stack.ts';

/** Reads the first `count` messages of a generated split; throws with the fix when prepare has not run. */
export function splitMessages(split: 'stream' | 'golden', count: number): Message[] {
  const file = join(stackDir, 'data', 'generated', `${split}.jsonl`);
  if (!existsSync(file)) {
    throw new Error(
      `${file} is missing; run: node --import tsx targets/ai-stack/scripts/prepare.ts`,
    );
  }
  return readMessages(file).slice(0, count);
}
