import { describe, expect, it } from 'vitest';
import { findingsOf, run, where, y } from '../_audit.ts';

const psp = y`
  apiVersion: policy/v1beta1
  kind: PodSecurityPolicy
  metadata: { name: restricted }
  spec: { privileged: false }
`;

describe('removed-api', () => {
  it('fires at the apiVersion value, naming what replaces it', () => {
    expect(run('removed-api', psp)).toEqual([where(psp, 'policy/v1beta1')]);
    expect(findingsOf('removed-api', psp)[0]?.message).toContain('Pod Security Admission');
    const ing = y`
      apiVersion: extensions/v1beta1
      kind: Ingress
      metadata: { name: i }
    `;
    expect(findingsOf('removed-api', ing)[0]?.message).toContain('use networking.k8s.io/v1 Ingress');
  });

  it('is version-aware: flowcontrol v1beta3 is removed from 1.32 on', () => {
    const fs = y`
      apiVersion: flowcontrol.apiserver.k8s.io/v1beta3
      kind: FlowSchema
      metadata: { name: f }
    `;
    expect(run('removed-api', fs, { kubernetesVersion: '1.32' })).toEqual([where(fs, 'flowcontrol')]);
    expect(run('removed-api', fs, { kubernetesVersion: '1.31' })).toEqual([]);
  });

  it('reports any extensions/v1beta1 kind, and items of a List', () => {
    const list = y`
      apiVersion: v1
      kind: List
      items:
        - apiVersion: extensions/v1beta1
          kind: ReplicationController
          metadata: { name: rc }
    `;
    expect(run('removed-api', list)).toEqual([where(list, 'extensions/v1beta1')]);
  });

  it('does not fire on current APIs', () => {
    expect(
      run('removed-api', 'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: { name: p }\n'),
    ).toEqual([]);
  });
});
