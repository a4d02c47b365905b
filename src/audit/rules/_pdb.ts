/** PodDisruptionBudget helpers: int-or-percent values and the replicas of the workloads a budget covers. */
import { get, podSpecOf, REPLICATED_KINDS, selectorMatches, str, workloadsIn } from '../_k8s.ts';
import type { AuditObject, RuleContext } from '../types.ts';

export interface IntOrPercent {
  value: number;
  percent: boolean;
}

export function intOrPercent(v: unknown): IntOrPercent | undefined {
  if (typeof v === 'number') return { value: v, percent: false };
  if (typeof v !== 'string') return undefined;
  const m = /^(\d+)(%?)$/.exec(v.trim());
  return m ? { value: Number(m[1]), percent: m[2] === '%' } : undefined;
}

/** Replicas of a workload: `spec.replicas`, else the minimum of an autoscaler targeting it, else 1. */
export function replicasWithAutoscaling(w: AuditObject, ctx: RuleContext): number {
  const r = get(w.value, 'spec', 'replicas');
  if (typeof r === 'number') return r;
  for (const kind of ['HorizontalPodAutoscaler', 'ScaledObject'] as const)
    for (const a of ctx.inNamespace(kind, w.namespace)) {
      const ref = get(a.value, 'spec', 'scaleTargetRef');
      const refKind = str(get(ref, 'kind')) ?? (kind === 'ScaledObject' ? 'Deployment' : undefined);
      if (refKind !== w.kind || str(get(ref, 'name')) !== w.name) continue;
      const min = get(a.value, 'spec', kind === 'ScaledObject' ? 'minReplicaCount' : 'minReplicas');
      return typeof min === 'number' ? min : kind === 'ScaledObject' ? 0 : 1;
    }
  return 1;
}

/** The replicated workloads (Deployments, StatefulSets…) whose pods a budget selects. */
export function coveredWorkloads(pdb: AuditObject, ctx: RuleContext): AuditObject[] {
  const selector = get(pdb.value, 'spec', 'selector');
  return workloadsIn(ctx.objects, pdb.namespace).filter(
    (w) =>
      (REPLICATED_KINDS as readonly string[]).includes(w.kind) &&
      selectorMatches(selector, podSpecOf(w)?.labels ?? {}),
  );
}
