import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../../common/src/config/load.ts';
import { loadPolicy } from '../src/policy/load.ts';
import { policySchema } from '../src/policy/schema.ts';

const referencePolicy = fileURLToPath(
  new URL('../../ai-stack/healer-policy.yaml', import.meta.url),
);

function problemsOf(text: string): string[] {
  try {
    parseConfig(text, 'policy.yaml', policySchema);
  } catch (error) {
    if (error instanceof ConfigError) return error.message.split('\n');
    throw error;
  }
  return [];
}

describe('healer policy', () => {
  it('loads the reference policy with defaults', () => {
    const policy = loadPolicy(referencePolicy);
    expect(policy.telemetry.probeInterval).toBe(500);
    expect(policy.telemetry.liveness.timeout).toBe(400);
    expect(policy.telemetry.canary?.golden).toMatch(/ai-stack\/data\/generated\/golden\.jsonl$/);
    expect(policy.approvals.requiredFor).toContain('model.rollback');
    expect(policy.playbooks.map((playbook) => playbook.name)).toContain('roll-back-model');
  });

  it('fills defaults for a minimal file', () => {
    const policy = parseConfig(
      'apiVersion: rebound.dev/v1\nkind: HealerPolicy\n',
      'p.yaml',
      policySchema,
    );
    expect(policy.telemetry.probeInterval).toBe(500);
    expect(policy.telemetry.readiness).toEqual({ path: '/readyz', timeout: 1_500 });
    expect(policy.approvals).toMatchObject({ mode: 'manual', timeout: 30_000, delay: 0 });
  });

  it('reports every problem with file, line and column', () => {
    const text = [
      'apiVersion: rebound.dev/v1',
      'kind: HealerPolicy',
      'telemetry:',
      '  probeInterval: 500',
      'detectors:',
      '  - name: crash',
      '    type: probe',
      '    failures: 0',
      'playbooks:',
      '  - name: restart',
      '    on: [crsh]',
      '    action: reboot',
      '    revert: yes',
      'approvals:',
      '  mode: sometimes',
    ].join('\n');
    const problems = problemsOf(text);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^policy\.yaml:4:18 telemetry\.probeInterval: a duration needs a unit: write 500ms or 500s/,
        ),
        expect.stringMatching(/^policy\.yaml:8:15 detectors\[0\]\.failures: /),
        expect.stringMatching(/^policy\.yaml:12:13 playbooks\[0\]\.action: /),
        expect.stringMatching(
          /^policy\.yaml:13:13 playbooks\[0\]\.revert: "yes" is a string in YAML 1\.2/,
        ),
        expect.stringMatching(/^policy\.yaml:15:9 approvals\.mode: /),
      ]),
    );
    expect(problems).toHaveLength(5);
  });

  it('names unknown detectors that a playbook refers to', () => {
    const text = [
      'apiVersion: rebound.dev/v1',
      'kind: HealerPolicy',
      'detectors:',
      '  - { name: crash, type: probe }',
      'playbooks:',
      '  - name: restart',
      '    on: [crash, hang]',
      '    action: restart',
    ].join('\n');
    expect(problemsOf(text)).toEqual([
      'policy.yaml:7:17 playbooks[0].on[1]: unknown detector "hang"; detectors: crash',
    ]);
  });

  it('rejects a threshold without a bound and an unknown key', () => {
    const text = [
      'apiVersion: rebound.dev/v1',
      'kind: HealerPolicy',
      'detectors:',
      '  - name: slow',
      '    type: threshold',
      '    source: { canary: latency }',
      '    abvoe: 3',
    ].join('\n');
    expect(problemsOf(text)).toEqual([
      'policy.yaml:4:5 detectors[0]: a threshold detector needs `above` or `below`',
      expect.stringMatching(/^policy\.yaml:7:5 detectors\[0\]\.abvoe: unknown key "abvoe"/),
    ]);
  });
});
