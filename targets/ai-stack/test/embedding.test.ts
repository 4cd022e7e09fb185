import { describe, expect, it } from 'vitest';
import { EMBEDDING_DIMENSIONS, embed, MAX_TEXT_CHARS, tokenise } from '../lib/embedding.ts';

const email =
  'From: Alice <alice@example.org>\nReceived: from mx1 by mx2\nSubject: Cheap pills\n\nBuy now, cheap pills!';

function cosine(a: number[], b: number[]): number {
  return a.reduce((sum, value, index) => sum + value * (b[index] as number), 0);
}

describe('tokenise', () => {
  it('prefixes header tokens with their field', () => {
    const tokens = tokenise(email);
    expect(tokens).toContain('subject:cheap');
    expect(tokens).toContain('from:alice@example.org');
    expect(tokens).toContain('cheap');
  });

  it('drops routing headers', () => {
    expect(tokenise(email).some((token) => token.startsWith('received:'))).toBe(false);
  });

  it('reads text without headers as body', () => {
    expect(tokenise('hello world\n\nagain')).toEqual(['hello', 'world', 'again']);
  });

  it('ignores text past the read limit', () => {
    const text = `${'a '.repeat(MAX_TEXT_CHARS / 2)} zebra`;
    expect(tokenise(text)).not.toContain('zebra');
  });
});

describe('embed', () => {
  it('returns a unit vector of the fixed size', () => {
    const vector = embed(email);
    expect(vector).toHaveLength(EMBEDDING_DIMENSIONS);
    expect(cosine(vector, vector)).toBeCloseTo(1, 10);
  });

  it('is deterministic', () => {
    expect(embed(email)).toEqual(embed(email));
  });

  it('maps an empty text to the zero vector', () => {
    expect(embed('')).toEqual(new Array(EMBEDDING_DIMENSIONS).fill(0));
  });

  it('keeps similar texts closer than unrelated ones', () => {
    const near = embed(email.replace('Buy now', 'Order today'));
    const far = embed('Subject: minutes of the kernel meeting\n\npatch review for the scheduler');
    expect(cosine(embed(email), near)).toBeGreaterThan(cosine(embed(email), far) + 0.3);
  });

  it('changes with the projection seed', () => {
    expect(cosine(embed(email, 1), embed(email, 2))).toBeLessThan(0.5);
  });
});
