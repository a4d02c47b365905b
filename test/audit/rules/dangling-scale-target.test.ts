import { describe, expect, it } from 'vitest';
import { deployment, run, where, y } from '../_audit.ts';

describe('dangling-scale-target', () => {
  it('fires at the target name of an HPA, a ScaledObject and a VPA whose workload is missing', () => {
    const doc = y`
      apiVersion: autoscaling/v2
      kind: HorizontalPodAutoscaler
      metadata: { name: h, namespace: shop }
      spec:
        scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: api }
        minReplicas: 2
        maxReplicas: 4
      ---
      apiVersion: keda.sh/v1alpha1
      kind: ScaledObject
      metadata: { name: s, namespace: shop }
      spec:
        scaleTargetRef: { name: worker }
        triggers: []
      ---
      apiVersion: autoscaling.k8s.io/v1
      kind: VerticalPodAutoscaler
      metadata: { name: v, namespace: shop }
      spec:
        targetRef: { apiVersion: apps/v1, kind: StatefulSet, name: db }
    `;
    expect(run('dangling-scale-target', doc)).toEqual([
      where(doc, 'api }'),
      where(doc, 'worker }'),
      where(doc, 'db }'),
    ]);
  });

  it('does not fire when the target exists in the namespace', () => {
    const doc = `${deployment('- name: a\n  image: x:1')}---\n${y`
      apiVersion: autoscaling/v2
      kind: HorizontalPodAutoscaler
      metadata: { name: h, namespace: shop }
      spec:
        scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }
        maxReplicas: 4
    `}`;
    expect(run('dangling-scale-target', doc)).toEqual([]);
  });
});
