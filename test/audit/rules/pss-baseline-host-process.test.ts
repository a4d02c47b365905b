import { describe, expect, it } from 'vitest';
import { deployment, run, where } from '../_audit.ts';

describe('pss-baseline-host-process', () => {
  it('fires at hostProcess: true on the pod and a container', () => {
    const doc = deployment(
      '- name: a\n  image: x:1\n  securityContext: { windowsOptions: { hostProcess: true } }',
      'securityContext:\n  windowsOptions:\n    hostProcess: true',
    );
    expect(run('pss-baseline-host-process', doc)).toEqual([
      where(doc, 'hostProcess: true\n'),
      where(doc, 'hostProcess: true }'),
    ]);
  });

  it('does not fire on false', () => {
    expect(
      run(
        'pss-baseline-host-process',
        deployment('- name: a\n  image: x:1', 'securityContext: { windowsOptions: { hostProcess: false } }'),
      ),
    ).toEqual([]);
  });
});
