import { describe, expect, it } from 'vitest';
import { deployment, run, where } from '../_audit.ts';

describe('unset-memory-requirements', () => {
  it('fires where the memory limit is missing', () => {
    const doc = deployment('- name: a\n  image: x:1\n  resources:\n    requests: { memory: 1Gi }');
    expect(run('unset-memory-requirements', doc)).toEqual([where(doc, 'resources')]);
  });

  it('does not fire with a memory limit', () => {
    expect(
      run(
        'unset-memory-requirements',
        deployment('- name: a\n  image: x:1\n  resources: { limits: { memory: 512Mi } }'),
      ),
    ).toEqual([]);
  });
});
