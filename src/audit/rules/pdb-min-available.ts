import { get } from '../_k8s.ts';
import { defineRule } from '../types.ts';
import { coveredWorkloads, intOrPercent, replicasWithAutoscaling } from './_pdb.ts';

export const pdbMinAvailable = defineRule({
  id: 'pdb-min-available',
  severity: 'warning',
  kinds: ['PodDisruptionBudget'],
  description:
    "A PodDisruptionBudget's `minAvailable` is 100% or at least the replicas of a workload it covers: no pod may ever be evicted, so node drains hang.",
  remediation:
    'Set `minAvailable` below the replica count (or use `maxUnavailable: 1`), or run more replicas.',
  messages: {
    all: 'minAvailable is 100%: no pod can ever be evicted',
    tooHigh: 'minAvailable {min} leaves no eviction possible for {kind}/{name} ({replicas} replica(s))',
  },
  docs: {
    kubeLinter:
      "`pdb-min-available` (default). Difference: workloads are matched by the budget's selector against their pod labels (kube-linter compares selector strings), and a workload without `replicas` counts the `minReplicas` of the HPA or ScaledObject that scales it.",
  },
  *check(o, ctx) {
    const min = intOrPercent(get(o.value, 'spec', 'minAvailable'));
    if (min === undefined) return;
    if (min.percent && min.value >= 100) {
      yield { message: 'all', path: '/spec/minAvailable', at: 'value' };
      return;
    }
    for (const w of coveredWorkloads(o, ctx)) {
      const replicas = replicasWithAutoscaling(w, ctx);
      const needed = min.percent ? Math.floor((replicas * min.value) / 100) : min.value;
      if (replicas > 0 && replicas <= needed)
        yield {
          message: 'tooHigh',
          data: { min: String(get(o.value, 'spec', 'minAvailable')), kind: w.kind, name: w.name, replicas },
          path: '/spec/minAvailable',
          at: 'value',
        };
    }
  },
});
