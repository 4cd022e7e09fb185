import { describe, expect, it } from 'vitest';
import { type Message, SPLIT_SHARES, splitCorpus } from '../lib/dataset.ts';

const messages: Message[] = Array.from({ length: 1_000 }, (_, index) => ({
  id: `m-${index}`,
  text: `text ${index}`,
  label: index % 3 === 0 ? 'spam' : 'ham',
}));

describe('splitCorpus', () => {
  it('uses the configured shares', () => {
    const splits = splitCorpus(messages);
    expect(splits.train).toHaveLength(1_000 * SPLIT_SHARES.train);
    expect(splits.golden).toHaveLength(1_000 * SPLIT_SHARES.golden);
    expect(splits.stream).toHaveLength(250);
  });

  it('puts every message in exactly one split', () => {
    const splits = splitCorpus(messages);
    const ids = [...splits.train, ...splits.golden, ...splits.stream].map((message) => message.id);
    expect(new Set(ids).size).toBe(1_000);
  });

  it('is the same for the same seed', () => {
    expect(splitCorpus(messages, 5)).toEqual(splitCorpus(messages, 5));
  });

  it('shuffles differently for another seed', () => {
    expect(splitCorpus(messages, 5).golden).not.toEqual(splitCorpus(messages, 6).golden);
  });
});
