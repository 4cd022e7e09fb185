/**
 * Returns a seeded pseudo-random generator of numbers in [0, 1) (mulberry32). The same seed gives
 * the same sequence on every machine, so a run's request sequence can be reproduced.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Picks an index with probability proportional to its weight. Weights must be positive. */
export function pickWeighted(weights: readonly number[], random: () => number): number {
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  let point = random() * total;
  for (let index = 0; index < weights.length; index++) {
    point -= weights[index] as number;
    if (point < 0) return index;
  }
  return weights.length - 1;
}
