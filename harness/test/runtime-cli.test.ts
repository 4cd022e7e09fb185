import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const cli = new URL('../../bin/rebound.js', import.meta.url).pathname;

function rebound(...args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', LOG_LEVEL: 'silent' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('rebound doctor', () => {
  it('lists every required component', () => {
    const { code, stdout } = rebound('doctor');
    for (const name of [
      'node',
      'go',
      'toxiproxy server',
      'postgres',
      'initdb',
      'cube extension',
      'redis-server',
    ]) {
      expect(stdout).toMatch(new RegExp(`^(ok|missing) +${name} `, 'm'));
    }
    expect(code).toBe(stdout.includes('missing') ? 3 : 0);
  });
});

describe('rebound stack', () => {
  it('lists subcommands for an unknown one', () => {
    const { code, stderr } = rebound('stack', 'bogus');
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /unknown stack subcommand "bogus"; subcommands: down, (.+, )?status, up/,
    );
  });

  it('rejects a missing topology file', () => {
    const { code, stderr } = rebound('stack', 'up', '--topology', '/nonexistent/topology.yaml');
    expect(code).toBe(2);
    expect(stderr).toContain('topology file not found: /nonexistent/topology.yaml');
  });

  it('rejects an unknown option with the usage', () => {
    const { code, stderr } = rebound('stack', 'down', '--all');
    expect(code).toBe(2);
    expect(stderr).toContain('usage: rebound stack down [--run-id ID]');
  });
});
