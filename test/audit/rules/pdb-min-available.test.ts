import { describe, expect, it } from 'vitest';
import { deployment, run, where, y } from '../_audit.ts';

const pdb = (min: string) => y`
  apiVersion: policy/v1
  kind: PodDisruptionBudget
  metadata: { name: web, namespace: shop }
  spec:
    minAvailable: ${min}
    selector: { matchLabels: { app: web } }
`;

describe('pdb-min-available', () => {
  it('fires at minAvailable when it is 100% or at least the replicas', () => {
    const all = pdb('"100%"');
    expect(run('pdb-min-available', all)).toEqual([where(all, '"100%"')]);
    const doc = `${deployment('- name: a\n  image: x:1', '', 'replicas: 2')}---\n${pdb('2')}`;
    expect(run('pdb-min-available', doc)).toEqual([where(doc, '2\n  selector: {')]);
  });

  it('counts the HPA minimum when the workload has no replicas', () => {
    const hpa = y`
      apiVersion: autoscaling/v2
      kind: HorizontalPodAutoscaler
      metadata: { name: web, namespace: shop }
      spec: { scaleTargetRef: { kind: Deployment, name: web }, minReplicas: 3, maxReplicas: 6 }
    `;
    const doc = `${deployment('- name: a\n  image: x:1')}---\n${hpa}---\n${pdb('2')}`;
    expect(run('pdb-min-available', doc)).toEqual([]);
  });

  it('does not fire when a pod can still be evicted', () => {
    const doc = `${deployment('- name: a\n  image: x:1', '', 'replicas: 3')}---\n${pdb('"50%"')}`;
    expect(run('pdb-min-available', doc)).toEqual([]);
  });
});
