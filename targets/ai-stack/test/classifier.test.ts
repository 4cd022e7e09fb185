import { describe, expect, it } from 'vitest';
import {
  accuracy,
  defaultTrainingOptions,
  predictSpam,
  type TrainingExample,
  train,
} from '../lib/classifier.ts';
import { seededRandom } from '../lib/embedding.ts';

/** Two Gaussian clouds that no straight line separates well: spam where x·y > 0. */
function xorExamples(count: number, seed: number): TrainingExample[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const x = random() * 2 - 1;
    const y = random() * 2 - 1;
    const noise = Array.from({ length: 6 }, () => random() - 0.5);
    return { embedding: [x, y, ...noise], target: x * y > 0 ? 1 : 0 };
  });
}

const options = { ...defaultTrainingOptions, hidden: 8, epochs: 60, l2: 1e-4, learningRate: 0.02 };

describe('train', () => {
  it('learns a non-linear boundary', () => {
    const weights = train(xorExamples(600, 1), options);
    expect(accuracy(weights, xorExamples(300, 2))).toBeGreaterThan(0.9);
  });

  it('is deterministic for a seed', () => {
    expect(train(xorExamples(200, 3), options)).toEqual(train(xorExamples(200, 3), options));
  });

  it('depends on the seed', () => {
    const first = train(xorExamples(200, 3), options);
    const second = train(xorExamples(200, 3), { ...options, seed: 8 });
    expect(first.inputWeights).not.toEqual(second.inputWeights);
  });

  it('rejects an empty training set', () => {
    expect(() => train([], options)).toThrow('without examples');
  });

  it('rejects mixed dimensions', () => {
    const examples: TrainingExample[] = [
      { embedding: [1, 2], target: 1 },
      { embedding: [1], target: 0 },
    ];
    expect(() => train(examples, options)).toThrow('2 dimensions');
  });
});

describe('predictSpam', () => {
  it('returns a probability', () => {
    const weights = train(xorExamples(200, 4), options);
    for (const example of xorExamples(20, 5)) {
      const probability = predictSpam(weights, example.embedding);
      expect(probability).toBeGreaterThanOrEqual(0);
      expect(probability).toBeLessThanOrEqual(1);
    }
  });
});
