import { get } from '../_k8s.ts';
import { defineRule } from '../types.ts';

export const pdbUnhealthyPodEvictionPolicy = defineRule({
  id: 'pdb-unhealthy-pod-eviction-policy',
  severity: 'warning',
  kinds: ['PodDisruptionBudget'],
  description: 'A PodDisruptionBudget does not set `unhealthyPodEvictionPolicy`.',
  remediation:
    'Set `spec.unhealthyPodEvictionPolicy: AlwaysAllow`, so pods that are already failing can be evicted and a drain is not blocked by a broken rollout.',
  messages: {
    unset:
      'unhealthyPodEvictionPolicy is not set: unhealthy pods count against the budget and can block node drains',
  },
  docs: {
    kubeLinter: '`pdb-unhealthy-pod-eviction-policy` (default), same check.',
    references: [
      'https://kubernetes.io/docs/tasks/run-application/configure-pdb/#unhealthy-pod-eviction-policy',
    ],
  },
  *check(o) {
    if (get(o.value, 'spec', 'unhealthyPodEvictionPolicy') === undefined)
      yield { message: 'unset', path: get(o.value, 'spec') === undefined ? '' : '/spec' };
  },
});
