import { describe, expect, it } from 'vitest';
import { run, where, y } from '../_audit.ts';

const pod = (extraMeta: string, sc: string) => y`
  apiVersion: v1
  kind: Pod
  metadata:
    name: p
    ${extraMeta}
  spec:
    containers:
      - name: a
        image: x:1
        ${sc}
`;

describe('pss-baseline-apparmor', () => {
  it('fires at an unconfined annotation and at appArmorProfile Unconfined', () => {
    const doc = pod(
      'annotations: { container.apparmor.security.beta.kubernetes.io/a: unconfined }',
      'securityContext: { appArmorProfile: { type: Unconfined } }',
    );
    expect(run('pss-baseline-apparmor', doc)).toEqual([where(doc, 'unconfined }'), where(doc, 'Unconfined')]);
  });

  it('ignores the appArmorProfile field before Kubernetes 1.30 (it does not exist there)', () => {
    const doc = pod('labels: {}', 'securityContext: { appArmorProfile: { type: Unconfined } }');
    expect(run('pss-baseline-apparmor', doc, { kubernetesVersion: '1.29' })).toEqual([]);
  });

  it('does not fire on runtime/default or Localhost', () => {
    const doc = pod(
      'annotations: { container.apparmor.security.beta.kubernetes.io/a: runtime/default }',
      'securityContext: { appArmorProfile: { type: Localhost, localhostProfile: k8s-apparmor } }',
    );
    expect(run('pss-baseline-apparmor', doc)).toEqual([]);
  });
});
