import { describe, expect, it } from 'vitest';
import { deployment, run, where } from '../_audit.ts';

describe('pss-baseline-seccomp', () => {
  it('fires at Unconfined on the pod and on a container', () => {
    const doc = deployment(
      '- name: a\n  image: x:1\n  securityContext:\n    seccompProfile: { type: Unconfined }',
      'securityContext:\n  seccompProfile:\n    type: Unconfined',
    );
    expect(run('pss-baseline-seccomp', doc)).toEqual([
      where(doc, 'Unconfined\n'),
      where(doc, 'Unconfined }'),
    ]);
  });

  it('does not fire on RuntimeDefault or unset', () => {
    const doc = deployment(
      '- name: a\n  image: x:1',
      'securityContext: { seccompProfile: { type: RuntimeDefault } }',
    );
    expect(run('pss-baseline-seccomp', doc)).toEqual([]);
  });
});
