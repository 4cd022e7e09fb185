/** One sample of the Prometheus text exposition format. */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL_PAIR = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/g;

/**
 * Parses Prometheus text format 0.0.4: sample lines with optional labels and timestamp. Comments,
 * HELP and TYPE lines are skipped; a malformed line is skipped and counted, not thrown.
 */
export function parsePrometheusText(text: string): { samples: MetricSample[]; malformed: number } {
  const samples: MetricSample[] = [];
  let malformed = 0;
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE_LINE.exec(line);
    const value = match ? parseValue(match[3] as string) : Number.NaN;
    if (!match || Number.isNaN(value)) {
      malformed++;
      continue;
    }
    samples.push({ name: match[1] as string, labels: parseLabels(match[2] ?? ''), value });
  }
  return { samples, malformed };
}

function parseValue(text: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const match of text.matchAll(LABEL_PAIR)) {
    labels[match[1] as string] = (match[2] as string).replace(/\\(.)/g, (_, character: string) =>
      character === 'n' ? '\n' : character,
    );
  }
  return labels;
}

/** Sums the samples of `name` whose labels include every pair in `labels`; undefined when none match. */
export function sumMatching(
  samples: readonly MetricSample[],
  name: string,
  labels: Record<string, string>,
): number | undefined {
  let total: number | undefined;
  for (const sample of samples) {
    if (sample.name !== name) continue;
    if (Object.entries(labels).some(([key, value]) => sample.labels[key] !== value)) continue;
    total = (total ?? 0) + sample.value;
  }
  return total;
}
