import { DatasetError, loadDataset } from './dataset.ts';
import { pickWeighted, seededRandom } from './random.ts';
import type { LoadRequestSpec, LoadSpec } from './spec.ts';
import { asText, type DatasetRecord, fillTemplate, readField, templateFields } from './template.ts';

/** One concrete request, ready to send: templates filled from the chosen record. */
export interface PlannedRequest {
  /** Mix entry name. */
  name: string;
  target: string;
  method: LoadRequestSpec['method'];
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
  acceptedStatuses: number[] | undefined;
  /** Response field to compare and its expected value as text, when the entry checks answers. */
  answer: { field: string; expected: string } | undefined;
  /** Id of the write this request makes, counted as acknowledged when it succeeds. */
  acknowledgedId: string | undefined;
}

/**
 * Chooses the request mix entry and dataset record of each request from a seeded generator, so one
 * seed always yields the same sequence of requests.
 */
export class RequestPlanner {
  private readonly random: () => number;
  private readonly weights: number[];

  constructor(
    private readonly spec: LoadSpec,
    private readonly datasets: ReadonlyMap<string, DatasetRecord[]>,
    seed: number,
  ) {
    this.random = seededRandom(seed);
    this.weights = spec.mix.map((entry) => entry.weight);
    for (const entry of spec.mix) checkDataset(entry, datasets.get(entry.name));
  }

  /** Reads every dataset of the mix, relative to `baseDir` (the experiment file's folder). */
  static fromFiles(spec: LoadSpec, baseDir: string, seed: number): RequestPlanner {
    const datasets = new Map<string, DatasetRecord[]>();
    for (const entry of spec.mix) {
      if (entry.dataset !== undefined)
        datasets.set(entry.name, loadDataset(entry.dataset, baseDir));
    }
    return new RequestPlanner(spec, datasets, seed);
  }

  next(): PlannedRequest {
    const entry = this.spec.mix[pickWeighted(this.weights, this.random)] as LoadRequestSpec;
    const records = this.datasets.get(entry.name);
    const record = records ? (records[Math.floor(this.random() * records.length)] ?? {}) : {};
    return buildRequest(entry, record);
  }
}

function buildRequest(entry: LoadRequestSpec, record: DatasetRecord): PlannedRequest {
  const headers: Record<string, string> = { ...entry.headers };
  let body: string | undefined;
  if (entry.body !== undefined) {
    body = JSON.stringify(fillTemplate(entry.body, record));
    headers['content-type'] ??= 'application/json';
  }

  const expect = entry.expect;
  const answer =
    expect?.field !== undefined && expect.equals !== undefined
      ? { field: expect.field, expected: asText(fillTemplate(expect.equals, record)) }
      : undefined;
  const acknowledged = entry.acknowledges ? readField(record, entry.acknowledges) : undefined;

  return {
    name: entry.name,
    target: entry.target,
    method: entry.method,
    path: fillTemplate(entry.path, record, encodeURIComponent) as string,
    headers,
    body,
    acceptedStatuses: expect?.status,
    answer,
    acknowledgedId: acknowledged === undefined ? undefined : asText(acknowledged),
  };
}

/** Checks up front that every record has every field the entry's templates use. */
function checkDataset(entry: LoadRequestSpec, records: DatasetRecord[] | undefined): void {
  if (entry.dataset === undefined) return;
  if (!records || records.length === 0) {
    throw new DatasetError(`mix entry "${entry.name}": dataset ${entry.dataset} has no records`);
  }
  const fields = templateFields([entry.path, entry.body, entry.expect?.equals]);
  if (entry.acknowledges) fields.push(entry.acknowledges);
  records.forEach((record, index) => {
    for (const field of fields) {
      if (readField(record, field) === undefined) {
        throw new DatasetError(
          `mix entry "${entry.name}": record ${index + 1} of ${entry.dataset} has no field "${field}"`,
        );
      }
    }
  });
}
