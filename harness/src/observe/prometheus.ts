/** One sample of the Prometheus text exposition format. */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL_PAIR = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?/y;

/**
 * Parses Prometheus text exposition format (version 0.0.4): `name{label="value"} 1.5`, with
 * `# HELP` / `# TYPE` comments skipped. Throws on a line it cannot read, naming the line.
 */
export function parsePrometheusText(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = (lines[index] as string).trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE_LINE.exec(line);
    if (!match) throw new Error(`invalid metrics line ${index + 1}: ${line.slice(0, 120)}`);
    samples.push({
      name: match[1] as string,
      labels: parseLabels(match[2], index + 1),
      value: parseValue(match[3] as string, index + 1),
    });
  }
  return samples;
}

function parseLabels(block: string | undefined, lineNumber: number): Record<string, string> {
  const labels: Record<string, string> = {};
  if (block === undefined) return labels;
  const inner = block.slice(1, -1);
  LABEL_PAIR.lastIndex = 0;
  while (LABEL_PAIR.lastIndex < inner.length) {
    const start = LABEL_PAIR.lastIndex;
    const match = LABEL_PAIR.exec(inner);
    if (!match) {
      if (inner.slice(start).trim() === '') break;
      throw new Error(`invalid labels on metrics line ${lineNumber}: {${inner}}`);
    }
    labels[match[1] as string] = unescapeLabel(match[2] as string);
  }
  return labels;
}

function unescapeLabel(value: string): string {
  return value.replace(/\\(.)/g, (_all, next: string) => (next === 'n' ? '\n' : next));
}

function parseValue(text: string, lineNumber: number): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text === 'NaN') return Number.NaN;
  const value = Number(text);
  if (Number.isNaN(value)) throw new Error(`invalid value "${text}" on metrics line ${lineNumber}`);
  return value;
}

/**
 * Sums the samples of each metric named in `names`, over all label sets, and also keeps each
 * series apart, keyed as `name{label="value",…}` without the `service` label.
 */
export function summarizeCounters(
  samples: readonly MetricSample[],
  names: readonly string[],
): { totals: Record<string, number>; series: Record<string, number> } {
  const wanted = new Set(names);
  const totals: Record<string, number> = Object.fromEntries(names.map((name) => [name, 0]));
  const series: Record<string, number> = {};
  for (const sample of samples) {
    if (!wanted.has(sample.name)) continue;
    totals[sample.name] = (totals[sample.name] ?? 0) + sample.value;
    const labels = Object.entries(sample.labels)
      .filter(([key]) => key !== 'service')
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
      .join(',');
    const key = labels === '' ? sample.name : `${sample.name}{${labels}}`;
    series[key] = (series[key] ?? 0) + sample.value;
  }
  return { totals, series };
}
