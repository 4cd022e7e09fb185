// Prints every model version's accuracy on the golden split, using the features the embedder
// serves, so a version trained on skewed features shows the accuracy it would have in production.
// Run scripts/prepare.ts first.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { predictSpam } from '../lib/classifier.ts';
import { readMessages } from '../lib/dataset.ts';
import { embed } from '../lib/embedding.ts';
import { listVersions, loadVersion } from '../lib/registry.ts';
import { dataDir, modelDir } from './prepare.ts';

const goldenFile = join(dataDir, 'golden.jsonl');
if (!existsSync(goldenFile)) {
  console.error(
    `${goldenFile} is missing; run: node --import tsx targets/ai-stack/scripts/prepare.ts`,
  );
  process.exit(2);
}

const golden = readMessages(goldenFile);
const embeddings = golden.map((message) => embed(message.text));
const spamCount = golden.filter((message) => message.label === 'spam').length;
console.log(
  `golden set: ${golden.length} messages, ${spamCount} spam (${pct(spamCount / golden.length)})`,
);
console.log('version      accuracy  spam precision  spam recall');

for (const version of listVersions(modelDir)) {
  const { weights } = loadVersion(modelDir, version);
  let correct = 0;
  let truePositives = 0;
  let predictedSpam = 0;
  golden.forEach((message, index) => {
    const spam = predictSpam(weights, embeddings[index] as number[]) > 0.5;
    if (spam === (message.label === 'spam')) correct++;
    if (spam) predictedSpam++;
    if (spam && message.label === 'spam') truePositives++;
  });
  const precision = predictedSpam === 0 ? 0 : truePositives / predictedSpam;
  console.log(
    `${version.padEnd(12)} ${pct(correct / golden.length).padStart(8)}  ${pct(precision).padStart(14)}  ${pct(truePositives / spamCount).padStart(11)}`,
  );
}

function pct(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}
