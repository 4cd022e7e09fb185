import { seededRandom } from './embedding.ts';

/**
 * A spam classifier over embeddings: standardised inputs, one tanh hidden layer and a logistic
 * output, trained with mini-batch Adam. Training is deterministic for a given seed and Node
 * version because the initial weights and the batch order come from a seeded generator.
 */
export interface ClassifierWeights {
  dimensions: number;
  hidden: number;
  mean: number[];
  scale: number[];
  /** Hidden-layer weights, row-major: `hidden` rows of `dimensions` values. */
  inputWeights: number[];
  hiddenBias: number[];
  outputWeights: number[];
  outputBias: number;
}

export interface TrainingExample {
  embedding: number[];
  /** 1 for spam, 0 for ham. */
  target: 0 | 1;
}

export interface TrainingOptions {
  hidden: number;
  epochs: number;
  seed: number;
  learningRate: number;
  l2: number;
  batchSize: number;
}

export const defaultTrainingOptions: TrainingOptions = {
  hidden: 32,
  epochs: 30,
  seed: 7,
  learningRate: 0.01,
  l2: 1e-2,
  batchSize: 32,
};

/** Probability that the embedding is spam. */
export function predictSpam(weights: ClassifierWeights, embedding: readonly number[]): number {
  const { dimensions, hidden } = weights;
  let logit = weights.outputBias;
  for (let unit = 0; unit < hidden; unit++) {
    let activation = weights.hiddenBias[unit] as number;
    for (let index = 0; index < dimensions; index++) {
      const input =
        ((embedding[index] ?? 0) - (weights.mean[index] as number)) /
        (weights.scale[index] as number);
      activation += (weights.inputWeights[unit * dimensions + index] as number) * input;
    }
    logit += (weights.outputWeights[unit] as number) * Math.tanh(activation);
  }
  return 1 / (1 + Math.exp(-logit));
}

function standardisation(examples: TrainingExample[], dimensions: number) {
  const mean = new Float64Array(dimensions);
  const scale = new Float64Array(dimensions);
  for (const { embedding } of examples) {
    for (let index = 0; index < dimensions; index++)
      mean[index] = (mean[index] as number) + (embedding[index] as number) / examples.length;
  }
  for (const { embedding } of examples) {
    for (let index = 0; index < dimensions; index++) {
      const deviation = (embedding[index] as number) - (mean[index] as number);
      scale[index] = (scale[index] as number) + deviation ** 2 / examples.length;
    }
  }
  return {
    mean: Array.from(mean),
    scale: Array.from(scale, (variance) => Math.sqrt(variance) || 1),
  };
}

/** Parameters in one flat array: input weights, hidden bias, output weights, output bias. */
function initialParameters(dimensions: number, hidden: number, random: () => number): Float64Array {
  const parameters = new Float64Array(hidden * dimensions + 2 * hidden + 1);
  const inputLimit = Math.sqrt(6 / (dimensions + hidden));
  const outputLimit = Math.sqrt(6 / (hidden + 1));
  for (let index = 0; index < hidden * dimensions; index++)
    parameters[index] = (random() * 2 - 1) * inputLimit;
  for (let unit = 0; unit < hidden; unit++) {
    parameters[hidden * dimensions + hidden + unit] = (random() * 2 - 1) * outputLimit;
  }
  return parameters;
}

function shuffle(order: number[], random: () => number): void {
  for (let index = order.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [order[index], order[other]] = [order[other] as number, order[index] as number];
  }
}

/** Adds the log-loss gradient of one example to `gradient`. */
function accumulateGradient(
  parameters: Float64Array,
  gradient: Float64Array,
  input: Float64Array,
  target: number,
  activations: Float64Array,
): void {
  const dimensions = input.length;
  const hidden = activations.length;
  const hiddenBiasAt = hidden * dimensions;
  const outputAt = hiddenBiasAt + hidden;

  let logit = parameters[parameters.length - 1] as number;
  for (let unit = 0; unit < hidden; unit++) {
    let activation = parameters[hiddenBiasAt + unit] as number;
    for (let index = 0; index < dimensions; index++) {
      activation += (parameters[unit * dimensions + index] as number) * (input[index] as number);
    }
    activations[unit] = Math.tanh(activation);
    logit += (parameters[outputAt + unit] as number) * (activations[unit] as number);
  }

  const error = 1 / (1 + Math.exp(-logit)) - target;
  for (let unit = 0; unit < hidden; unit++) {
    const activation = activations[unit] as number;
    gradient[outputAt + unit] = (gradient[outputAt + unit] as number) + error * activation;
    const delta = error * (parameters[outputAt + unit] as number) * (1 - activation * activation);
    gradient[hiddenBiasAt + unit] = (gradient[hiddenBiasAt + unit] as number) + delta;
    for (let index = 0; index < dimensions; index++) {
      const at = unit * dimensions + index;
      gradient[at] = (gradient[at] as number) + delta * (input[index] as number);
    }
  }
  gradient[parameters.length - 1] = (gradient[parameters.length - 1] as number) + error;
}

/** Trains a classifier. Throws when there are no examples or they disagree on dimensions. */
export function train(
  examples: TrainingExample[],
  options: TrainingOptions = defaultTrainingOptions,
): ClassifierWeights {
  const dimensions = examples[0]?.embedding.length ?? 0;
  if (dimensions === 0) throw new Error('cannot train a classifier without examples');
  if (examples.some((example) => example.embedding.length !== dimensions)) {
    throw new Error(`every training embedding must have ${dimensions} dimensions`);
  }
  const { hidden, epochs, learningRate, l2, batchSize } = options;
  const random = seededRandom(options.seed);
  const { mean, scale } = standardisation(examples, dimensions);
  const inputs = examples.map(
    ({ embedding }) =>
      new Float64Array(
        embedding.map(
          (value, index) => (value - (mean[index] as number)) / (scale[index] as number),
        ),
      ),
  );

  const parameters = initialParameters(dimensions, hidden, random);
  const firstMoment = new Float64Array(parameters.length);
  const secondMoment = new Float64Array(parameters.length);
  const activations = new Float64Array(hidden);
  const order = examples.map((_, index) => index);
  let step = 0;

  for (let epoch = 0; epoch < epochs; epoch++) {
    shuffle(order, random);
    for (let start = 0; start < order.length; start += batchSize) {
      const batch = order.slice(start, start + batchSize);
      const gradient = new Float64Array(parameters.length);
      for (const index of batch) {
        accumulateGradient(
          parameters,
          gradient,
          inputs[index] as Float64Array,
          (examples[index] as TrainingExample).target,
          activations,
        );
      }
      step++;
      adamStep(parameters, gradient, batch.length, {
        firstMoment,
        secondMoment,
        step,
        learningRate,
        l2,
        decayed: hidden * dimensions,
      });
    }
  }
  return toWeights(parameters, { dimensions, hidden, mean, scale });
}

interface AdamState {
  firstMoment: Float64Array;
  secondMoment: Float64Array;
  step: number;
  learningRate: number;
  l2: number;
  /** The first `decayed` parameters (the input weights) get L2 weight decay. */
  decayed: number;
}

function adamStep(
  parameters: Float64Array,
  gradient: Float64Array,
  batchLength: number,
  state: AdamState,
): void {
  const { firstMoment, secondMoment, step, learningRate, l2, decayed } = state;
  for (let index = 0; index < parameters.length; index++) {
    let slope = (gradient[index] as number) / batchLength;
    if (index < decayed) slope += l2 * (parameters[index] as number);
    firstMoment[index] = 0.9 * (firstMoment[index] as number) + 0.1 * slope;
    secondMoment[index] = 0.999 * (secondMoment[index] as number) + 0.001 * slope * slope;
    const corrected = (firstMoment[index] as number) / (1 - 0.9 ** step);
    const spread = Math.sqrt((secondMoment[index] as number) / (1 - 0.999 ** step));
    parameters[index] =
      (parameters[index] as number) - (learningRate * corrected) / (spread + 1e-8);
  }
}

function toWeights(
  parameters: Float64Array,
  shape: { dimensions: number; hidden: number; mean: number[]; scale: number[] },
): ClassifierWeights {
  const { dimensions, hidden } = shape;
  const round = (value: number) => Number(value.toPrecision(7));
  const slice = (from: number, to: number) => Array.from(parameters.subarray(from, to), round);
  return {
    dimensions,
    hidden,
    mean: shape.mean.map(round),
    scale: shape.scale.map(round),
    inputWeights: slice(0, hidden * dimensions),
    hiddenBias: slice(hidden * dimensions, hidden * dimensions + hidden),
    outputWeights: slice(hidden * dimensions + hidden, hidden * dimensions + 2 * hidden),
    outputBias: round(parameters[parameters.length - 1] as number),
  };
}

/** Share of examples whose predicted label (spam when the probability is above 0.5) is right. */
export function accuracy(weights: ClassifierWeights, examples: TrainingExample[]): number {
  if (examples.length === 0) return Number.NaN;
  let correct = 0;
  for (const example of examples) {
    if ((predictSpam(weights, example.embedding) > 0.5 ? 1 : 0) === example.target) correct++;
  }
  return correct / examples.length;
}
