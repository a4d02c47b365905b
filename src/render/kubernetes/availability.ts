/**
 * PodDisruptionBudgets for workloads that run more than one replica. One replica at a time may
 * go — never a budget that blocks every eviction (which stalls node drains forever).
 */
import type { V1PodDisruptionBudget } from '@kubernetes/client-node';
import type { Model } from '../../model/types.ts';
import { labels, objectName, selectorLabels } from './_names.ts';
import type { KubeObject } from './_object.ts';

export function renderDisruptionBudgets(model: Model): KubeObject[] {
  return model.services
    .filter(
      (s) =>
        (s.kind === 'web' || s.kind === 'worker') &&
        Math.max(s.replicas, s.autoscaling?.min ?? 0, s.queueScaling?.min ?? 0) > 1,
    )
    .map((s) => {
      const pdb: V1PodDisruptionBudget & KubeObject = {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: {
          name: objectName(model, s.name),
          namespace: model.environment.namespace,
          labels: labels(model, s.name),
        },
        // AlwaysAllow: a crash-looping pod must not count against the budget and block node drains.
        spec: {
          maxUnavailable: 1,
          unhealthyPodEvictionPolicy: 'AlwaysAllow',
          selector: { matchLabels: selectorLabels(model, s.name) },
        },
      };
      return pdb;
    });
}
