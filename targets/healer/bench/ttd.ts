/**
 * Measures the healer's time to detect (TTD) against the reference stack: p50 and p95 over
 * `--trials` (default 5) for each fault, each trial with a fresh healer as the harness starts one.
 *
 * Usage: node --import tsx targets/healer/bench/ttd.ts [--trials 5] [--cases kill,stop,latency,deploy]
 *        [--keep-run-dir]
 *
 * TTD runs from the moment the fault is applied (kill sent, toxic confirmed by Toxiproxy, deploy returned) to
 * the healer's `detected` event, both on the system-wide monotonic clock. Everything runs on
 * 127.0.0.1 and stops by itself; the stack and every healer are stopped at the end.
 */
import { parseArgs } from 'node:util';
import { monotonicNowMs } from '../../../common/src/clock.ts';
import type { HealerEvent } from '../../../common/src/events.ts';
import {
  type Endpoints,
  type Healer,
  post,
  print,
  type Stack,
  sleep,
  startHealer,
  startStack,
  summarise,
} from './support.ts';

interface Outcome {
  ttdMs: number;
  /** Detection to the end of the remediation (restart, degrade or rollback). */
  mitigatedAfterMs: number;
}

type Case = (stack: Stack, healer: Healer) => Promise<Outcome>;

const supervisorStatus = async (endpoints: Endpoints, name: string) => {
  const response = await fetch(`${endpoints.supervisor.url}/v1/components/${name}`, {
    headers: { authorization: `Bearer ${endpoints.supervisor.token}` },
  });
  return (await response.json()) as { pid: number; state: string };
};

const after = (seq: number, predicate: (event: HealerEvent) => boolean) => (event: HealerEvent) =>
  event.seq > seq && predicate(event);

async function measure(
  healer: Healer,
  injectedMs: number,
  seq: number,
  detected: (event: HealerEvent) => boolean,
  finished: (event: HealerEvent) => boolean,
  timeoutMs: number,
): Promise<Outcome> {
  const detection = await healer.events.waitFor(after(seq, detected), timeoutMs);
  const action = await healer.events.waitFor(after(detection.seq, finished), timeoutMs);
  return {
    ttdMs: detection.monotonicMs - injectedMs,
    mitigatedAfterMs: action.monotonicMs - detection.monotonicMs,
  };
}

/** Waits until the healer has finished its first round of probes and the stack is healthy. */
async function settle(healer: Healer): Promise<number> {
  await sleep(1_500);
  return healer.events.events.length;
}

const killProcess =
  (service: string, signal: NodeJS.Signals): Case =>
  async (stack, healer) => {
    const seq = await settle(healer);
    const { pid } = await supervisorStatus(stack.endpoints, service);
    process.kill(pid, signal);
    const injectedMs = monotonicNowMs();
    const outcome = await measure(
      healer,
      injectedMs,
      seq,
      (e) => e.kind === 'detected' && e.service === service,
      (e) => e.kind === 'action.finished' && e.action === 'restart' && e.service === service,
      20_000,
    );
    await healer.events.waitFor(
      after(seq, (e) => e.kind === 'recovered'),
      30_000,
    );
    return outcome;
  };

const vectorStoreLatency: Case = async (stack, healer) => {
  const seq = await settle(healer);
  const toxics = `${stack.endpoints.toxiproxy.url}/proxies/gateway-to-postgres/toxics`;
  const added = await post(toxics, {
    name: 'healer-bench-latency',
    type: 'latency',
    stream: 'downstream',
    attributes: { latency: 400 },
  });
  if (!added.ok) throw new Error(`Toxiproxy rejected the toxic: ${added.status}`);
  const injectedMs = monotonicNowMs();
  try {
    return await measure(
      healer,
      injectedMs,
      seq,
      (e) => e.kind === 'detected' && e.signal === 'dependency.vector-store.latency',
      (e) => e.kind === 'action.finished' && e.action === 'degrade',
      20_000,
    );
  } finally {
    await fetch(`${toxics}/healer-bench-latency`, { method: 'DELETE' });
    await healer.events.waitFor(
      after(seq, (e) => e.kind === 'action.finished' && e.evidence.undo === true),
      30_000,
    );
  }
};

const modelDeploy: Case = async (stack, healer) => {
  // The canary needs a baseline of the serving version before it can compare another with it.
  await sleep(6_000);
  const seq = healer.events.events.length;
  const model = stack.endpoints.components.model?.url;
  const deployed = await post(
    `${model}/admin/deploy`,
    { version: 'v2-skew' },
    stack.endpoints.adminToken,
  );
  if (!deployed.ok) throw new Error(`model deploy failed with status ${deployed.status}`);
  const injectedMs = monotonicNowMs();
  const outcome = await measure(
    healer,
    injectedMs,
    seq,
    (e) => e.kind === 'detected' && e.service === 'model' && e.signal.startsWith('canary.'),
    (e) => e.kind === 'action.finished' && e.action === 'model.rollback',
    60_000,
  );
  // The model is back on v1. Waiting for the incident to close lets the next trial start clean.
  await healer.events.waitFor(
    after(seq, (e) => e.kind === 'recovered'),
    30_000,
  );
  return outcome;
};

const cases: Record<string, { label: string; run: Case; flags?: string[] }> = {
  kill: { label: 'SIGKILL embedder', run: killProcess('embedder', 'SIGKILL') },
  stop: { label: 'SIGSTOP model', run: killProcess('model', 'SIGSTOP') },
  latency: { label: 'vector store +400 ms', run: vectorStoreLatency },
  deploy: {
    label: 'model_deploy v2-skew',
    run: modelDeploy,
    flags: ['--approval-mode', 'auto', '--approval-delay', '0s'],
  },
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      trials: { type: 'string', default: '5' },
      cases: { type: 'string', default: Object.keys(cases).join(',') },
      'keep-run-dir': { type: 'boolean', default: false },
    },
  });
  const trials = Number(values.trials);
  if (!Number.isInteger(trials) || trials < 1)
    throw new Error(`invalid --trials "${values.trials}": expected a whole number of at least 1`);
  const selected = values.cases.split(',');
  const unknown = selected.filter((name) => !(name in cases));
  if (unknown.length > 0)
    throw new Error(`unknown case ${unknown.join(', ')}; cases: ${Object.keys(cases).join(', ')}`);

  const stack = await startStack(values['keep-run-dir']);
  const rows: string[] = [];
  try {
    for (const name of selected) {
      const { label, run, flags } = cases[name] as (typeof cases)[string];
      const outcomes: Outcome[] = [];
      for (let trial = 1; trial <= trials; trial++) {
        const healer = await startHealer(stack, flags);
        try {
          const outcome = await run(stack, healer);
          outcomes.push(outcome);
          print(
            `${label} trial ${trial}: TTD ${outcome.ttdMs.toFixed(0)} ms, mitigated ${outcome.mitigatedAfterMs.toFixed(0)} ms later`,
          );
        } finally {
          await healer.stop();
        }
      }
      const ttd = summarise(outcomes.map((outcome) => outcome.ttdMs));
      const mitigation = summarise(outcomes.map((outcome) => outcome.mitigatedAfterMs));
      rows.push(
        `| ${label} | ${outcomes.length} | ${ttd.p50.toFixed(0)} | ${ttd.p95.toFixed(0)} | ${ttd.max.toFixed(0)} | ${mitigation.p50.toFixed(0)} |`,
      );
    }
  } finally {
    await stack.stop();
  }
  print('\n| case | trials | TTD p50 ms | TTD p95 ms | TTD max ms | detect → mitigated p50 ms |');
  print('| --- | --- | --- | --- | --- | --- |');
  for (const row of rows) print(row);
}

await main();
