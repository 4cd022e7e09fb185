import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeFixture, VALID_EXPERIMENT, writeExperiment } from './experiment-fixture.ts';

const root = resolve(import.meta.dirname, '../..');
const dir = makeFixture();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The valid experiment as it reads one folder below the fixture root. */
const NESTED_EXPERIMENT = VALID_EXPERIMENT.replace('stack/', '../stack/').replace(
  'data/',
  '../data/',
);

function rebound(...args: string[]) {
  const result = spawnSync('node', [join(root, 'bin/rebound.js'), ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('rebound validate', () => {
  it('exits 0 for a valid experiment', () => {
    writeExperiment(dir, VALID_EXPERIMENT, 'good.yaml');
    const { code, stdout } = rebound('validate', 'good.yaml');
    expect(stdout).toContain('valid   good.yaml (embedder-slow, 1 fault(s))');
    expect(stdout).toContain('1 experiment(s) valid');
    expect(code).toBe(0);
  });

  it('exits 2 and prints every problem of every file', () => {
    mkdirSync(join(dir, 'suite'), { recursive: true });
    writeExperiment(dir, NESTED_EXPERIMENT, 'suite/a-good.yaml');
    writeExperiment(
      dir,
      NESTED_EXPERIMENT.replace('  enabled: true', '  enabled: off').replace('at: 5s', 'at: 5'),
      'suite/b-bad.yaml',
    );
    writeFileSync(join(dir, 'suite', 'topology.yaml'), 'kind: Topology\n');
    const { code, stdout, stderr } = rebound('validate', 'suite');
    expect(stdout).toContain('valid   suite/a-good.yaml');
    expect(stderr.split('\n')).toEqual([
      'error suite/b-bad.yaml:27:9 faults[0].at: a duration needs a unit: write 5ms or 5s',
      'error suite/b-bad.yaml:31:12 healer.enabled: "off" is a string in YAML 1.2: write true or false',
      'error 1 of 2 experiment(s) invalid, 2 problem(s)',
      '',
    ]);
    expect(code).toBe(2);
  });

  it('exits 2 for a path that does not exist', () => {
    const { code, stderr } = rebound('validate', 'missing-folder');
    expect(stderr).toBe(
      'error not found: missing-folder; name an experiment file or a folder of them\n',
    );
    expect(code).toBe(2);
  });

  it('exits 2 for an unknown option', () => {
    const { code, stderr } = rebound('validate', '--fast', 'good.yaml');
    expect(stderr).toContain('error unknown option --fast; this command takes no options');
    expect(stderr).toContain('usage: rebound validate <file|folder>...');
    expect(code).toBe(2);
  });

  it('suggests the intended option', () => {
    const { code, stderr } = rebound('run', 'good.yaml', '--trails', '2');
    expect(stderr).toContain('error unknown option --trails; did you mean --trials?');
    expect(code).toBe(2);
  });

  it('lists the options for an unknown option', () => {
    const { code, stderr } = rebound('run', 'good.yaml', '--fast');
    expect(stderr).toContain('error unknown option --fast; options: --trials, --runtime,');
    expect(code).toBe(2);
  });

  it('names an option missing its value', () => {
    const { code, stderr } = rebound('run', 'good.yaml', '--seed');
    expect(stderr).toContain('error --seed needs a value\n');
    expect(code).toBe(2);
  });
});

describe('rebound list', () => {
  it('exits 0 when its reader closes the pipe', async () => {
    const child = spawn('node', [join(root, 'bin/rebound.js'), 'list', root], { cwd: dir });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = (await once(child, 'close')) as [number | null];
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('lists name, faults, tags and description', () => {
    const described = NESTED_EXPERIMENT.replace(
      '  tags: [latency]',
      '  tags: [latency]\n  description: The embedder answers slowly',
    );
    mkdirSync(join(dir, 'library'), { recursive: true });
    writeExperiment(dir, described, 'library/slow.yaml');
    const { code, stdout } = rebound('list', 'library');
    expect(stdout).toBe(
      [
        'embedder-slow',
        '  file:        library/slow.yaml',
        '  faults:      latency@embedder-to-postgres',
        '  tags:        latency',
        '  description: The embedder answers slowly',
        '',
        '1 experiment(s)',
        '',
      ].join('\n'),
    );
    expect(code).toBe(0);
  });
});
