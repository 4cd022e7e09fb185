import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { ClassifierWeights } from './classifier.ts';

/**
 * The model registry: one folder per version under the models folder, each with `model.json`
 * (the weights) and `metadata.json` (what it was trained on and how well it did).
 */
export const metadataSchema = z.object({
  version: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/),
  description: z.string(),
  training: z.object({
    split: z.string(),
    examples: z.number().int().positive(),
    /** SHA-256 over the training ids and labels, so a changed split forces retraining. */
    splitFingerprint: z.string(),
    options: z.record(z.string(), z.number()),
  }),
  features: z.object({
    kind: z.string(),
    dimensions: z.number().int().positive(),
    /** Projection seed of the embeddings the model was trained on. */
    projectionSeed: z.number().int(),
  }),
  /** Accuracies in [0, 1]; `golden` is measured on the features the embedder serves. */
  accuracy: z.object({
    train: z.number(),
    golden: z.number(),
    goldenOnTrainingFeatures: z.number(),
  }),
});
export type ModelMetadata = z.output<typeof metadataSchema>;

const weightsSchema = z
  .object({
    dimensions: z.number().int().positive(),
    hidden: z.number().int().positive(),
    mean: z.array(z.number()),
    scale: z.array(z.number()),
    inputWeights: z.array(z.number()),
    hiddenBias: z.array(z.number()),
    outputWeights: z.array(z.number()),
    outputBias: z.number(),
  })
  .refine((weights) => weights.inputWeights.length === weights.dimensions * weights.hidden, {
    error: 'inputWeights must hold dimensions × hidden values',
  });

export interface ModelVersion {
  metadata: ModelMetadata;
  weights: ClassifierWeights;
}

/** Versions in the folder, sorted by name. A folder without `model.json` is not a version. */
export function listVersions(modelDir: string): string[] {
  if (!existsSync(modelDir)) return [];
  return readdirSync(modelDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(modelDir, entry.name, 'model.json')))
    .map((entry) => entry.name)
    .sort();
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as Error).message}`);
  }
}

/** Loads and validates one version; the error names the file and every invalid field. */
export function loadVersion(modelDir: string, version: string): ModelVersion {
  const folder = join(modelDir, version);
  const metadata = metadataSchema.safeParse(readJson(join(folder, 'metadata.json')));
  if (!metadata.success) {
    throw new Error(`${folder}/metadata.json: ${z.prettifyError(metadata.error)}`);
  }
  const weights = weightsSchema.safeParse(readJson(join(folder, 'model.json')));
  if (!weights.success) throw new Error(`${folder}/model.json: ${z.prettifyError(weights.error)}`);
  if (weights.data.dimensions !== metadata.data.features.dimensions) {
    throw new Error(`${folder}: model.json and metadata.json disagree on the dimensions`);
  }
  return { metadata: metadata.data, weights: weights.data };
}
