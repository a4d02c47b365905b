import { describe, expect, it } from 'vitest';
import { run, where, y } from '../_audit.ts';

describe('pdb-unhealthy-pod-eviction-policy', () => {
  it('fires at spec when the policy is not set', () => {
    const doc = y`
      apiVersion: policy/v1
      kind: PodDisruptionBudget
      metadata: { name: web }
      spec:
        maxUnavailable: 1
        selector: { matchLabels: { app: web } }
    `;
    expect(run('pdb-unhealthy-pod-eviction-policy', doc)).toEqual([where(doc, 'spec')]);
  });

  it('does not fire when it is set', () => {
    const doc = y`
      apiVersion: policy/v1
      kind: PodDisruptionBudget
      metadata: { name: web }
      spec: { maxUnavailable: 1, unhealthyPodEvictionPolicy: AlwaysAllow, selector: { matchLabels: { app: web } } }
    `;
    expect(run('pdb-unhealthy-pod-eviction-policy', doc)).toEqual([]);
  });
});
