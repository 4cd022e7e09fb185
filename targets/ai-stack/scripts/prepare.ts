// Prepares the AI stack's data and models: splits the SpamAssassin corpus into train, golden and
// stream JSONL files under data/generated/, then trains every model version into models/<version>/.
// It does nothing when the outputs exist and match the current split and feature code; pass
// --force to rebuild anyway.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  accuracy,
  defaultTrainingOptions,
  type TrainingExample,
  train,
} from '../lib/classifier.ts';
import {
  loadCorpus,
  type Message,
  SPLIT_NAMES,
  SPLIT_SEED,
  type SplitName,
  splitCorpus,
  toJsonl,
} from '../lib/dataset.ts';
import {
  EMBEDDING_DIMENSIONS,
  embed,
  FEATURE_VERSION,
  SERVING_PROJECTION_SEED,
} from '../lib/embedding.ts';
import { type ModelMetadata, metadataSchema } from '../lib/registry.ts';

const stackDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const dataDir = join(stackDir, 'data', 'generated');
export const modelDir = join(stackDir, 'models');

/** The versions in the registry and the projection seed of the features each is trained on. */
const VERSIONS = [
  {
    version: 'v1',
    projectionSeed: SERVING_PROJECTION_SEED,
    description: 'Trained on the features the embedder serves.',
  },
  {
    version: 'v2-skew',
    projectionSeed: 2,
    description:
      'Training/serving skew: trained on embeddings from projection seed 2, as when a model is ' +
      'trained against a different embedder build than the one in production. It loads, answers ' +
      'fast and looks healthy, but its accuracy on served features is much lower.',
  },
] as const;

function fingerprint(messages: Message[]): string {
  const hash = createHash('sha256');
  for (const message of messages) hash.update(`${message.id}\t${message.label}\n`);
  return hash.digest('hex');
}

function examples(messages: Message[], projectionSeed: number): TrainingExample[] {
  return messages.map((message) => ({
    embedding: embed(message.text, projectionSeed),
    target: message.label === 'spam' ? 1 : 0,
  }));
}

function upToDate(splitFingerprint: string): boolean {
  const manifestFile = join(dataDir, 'manifest.json');
  if (!existsSync(manifestFile)) return false;
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { splitFingerprint?: string };
  if (manifest.splitFingerprint !== splitFingerprint) return false;
  if (!SPLIT_NAMES.every((name) => existsSync(join(dataDir, `${name}.jsonl`)))) return false;

  return VERSIONS.every(({ version, projectionSeed }) => {
    const file = join(modelDir, version, 'metadata.json');
    if (!existsSync(file) || !existsSync(join(modelDir, version, 'model.json'))) return false;
    const metadata = metadataSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return (
      metadata.success &&
      metadata.data.training.splitFingerprint === splitFingerprint &&
      metadata.data.features.kind === FEATURE_VERSION &&
      metadata.data.features.projectionSeed === projectionSeed &&
      metadata.data.features.dimensions === EMBEDDING_DIMENSIONS
    );
  });
}

function writeSplits(splits: Record<SplitName, Message[]>, splitFingerprint: string): void {
  mkdirSync(dataDir, { recursive: true });
  for (const name of SPLIT_NAMES)
    writeFileSync(join(dataDir, `${name}.jsonl`), toJsonl(splits[name]));
  const counts = Object.fromEntries(SPLIT_NAMES.map((name) => [name, splits[name].length]));
  const manifest = { seed: SPLIT_SEED, splitFingerprint, counts };
  writeFileSync(join(dataDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

function trainVersion(
  entry: (typeof VERSIONS)[number],
  splits: Record<SplitName, Message[]>,
  servedGolden: TrainingExample[],
  splitFingerprint: string,
): ModelMetadata {
  const trainingSet = examples(splits.train, entry.projectionSeed);
  const weights = train(trainingSet, defaultTrainingOptions);
  const ownGolden =
    entry.projectionSeed === SERVING_PROJECTION_SEED
      ? servedGolden
      : examples(splits.golden, entry.projectionSeed);
  const metadata: ModelMetadata = {
    version: entry.version,
    description: entry.description,
    training: {
      split: 'train',
      examples: trainingSet.length,
      splitFingerprint,
      options: { ...defaultTrainingOptions },
    },
    features: {
      kind: FEATURE_VERSION,
      dimensions: EMBEDDING_DIMENSIONS,
      projectionSeed: entry.projectionSeed,
    },
    accuracy: {
      train: accuracy(weights, trainingSet),
      golden: accuracy(weights, servedGolden),
      goldenOnTrainingFeatures: accuracy(weights, ownGolden),
    },
  };
  const folder = join(modelDir, entry.version);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'model.json'), `${JSON.stringify(weights)}\n`);
  writeFileSync(join(folder, 'metadata.json'), `${JSON.stringify(metadata, null, 2)}\n`);
  return metadata;
}

function main(): void {
  const force = process.argv.includes('--force');
  const started = performance.now();
  const splits = splitCorpus(loadCorpus());
  const splitFingerprint = fingerprint(splits.train);
  if (!force && upToDate(splitFingerprint)) {
    console.log(`ai-stack data and models are up to date (${relative(process.cwd(), dataDir)})`);
    return;
  }

  writeSplits(splits, splitFingerprint);
  const counts = SPLIT_NAMES.map((name) => `${name} ${splits[name].length}`).join(', ');
  console.log(`wrote splits to ${relative(process.cwd(), dataDir)}: ${counts}`);

  const servedGolden = examples(splits.golden, SERVING_PROJECTION_SEED);
  for (const entry of VERSIONS) {
    const { accuracy: scores } = trainVersion(entry, splits, servedGolden, splitFingerprint);
    const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
    console.log(
      `trained ${entry.version}: golden ${percent(scores.golden)} on served features, train ${percent(scores.train)}`,
    );
  }
  console.log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
