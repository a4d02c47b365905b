import { describe, expect, it } from 'vitest';
import { deployment, run, where } from '../_audit.ts';

describe('pss-restricted-seccomp', () => {
  it('fires for each container without a profile (pointing at the pod securityContext when the container has none)', () => {
    const doc = deployment('- name: a\n  image: x:1', 'securityContext: { runAsNonRoot: true }');
    expect(run('pss-restricted-seccomp', doc)).toEqual([where(doc, 'securityContext')]);
  });

  it('does not fire with a pod-level RuntimeDefault or a container Localhost profile', () => {
    const pod = deployment(
      '- name: a\n  image: x:1',
      'securityContext: { seccompProfile: { type: RuntimeDefault } }',
    );
    const ctr = deployment(
      '- name: a\n  image: x:1\n  securityContext: { seccompProfile: { type: Localhost, localhostProfile: p.json } }',
    );
    expect(run('pss-restricted-seccomp', pod)).toEqual([]);
    expect(run('pss-restricted-seccomp', ctr)).toEqual([]);
  });
});
