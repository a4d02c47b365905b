import { describe, expect, it } from 'vitest';
import { deployment, run, where } from '../_audit.ts';

describe('unset-cpu-requirements', () => {
  it('fires at the deepest existing resources field', () => {
    const doc = deployment(
      '- name: a\n  image: x:1\n  resources:\n    requests: { memory: 1Gi }\n- name: b\n  image: x:1\n- name: c\n  image: x:1\n  resources: { requests: { cpu: "0" } }',
    );
    expect(run('unset-cpu-requirements', doc)).toEqual([
      where(doc, 'requests'),
      where(doc, 'name: b'),
      where(doc, 'cpu: "0"'),
    ]);
  });

  it('does not fire with a CPU request (no CPU limit needed)', () => {
    expect(
      run(
        'unset-cpu-requirements',
        deployment('- name: a\n  image: x:1\n  resources: { requests: { cpu: 100m } }'),
      ),
    ).toEqual([]);
  });
});
