/**
 * What the Kubernetes renderers produce: plain objects with apiVersion, kind and metadata, typed
 * with the official client's models where they exist (imported as types only, so rendering loads
 * none of the client's code). Custom resources are typed loosely by their renderers.
 */
import type { V1ObjectMeta } from '@kubernetes/client-node';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: V1ObjectMeta & { name: string };
  [field: string]: unknown;
}

/** Everything a Kubernetes renderer may read besides the Model: inputs read at the edge. */
export interface RenderContext {
  /** Contents of config files mounted from the spec folder, by their spec-relative path. */
  files: ReadonlyMap<string, string>;
}

/** Apply order: cluster-scoped and referenced objects first, so a plain `kubectl apply -f` works. */
export const KIND_ORDER = [
  'Namespace',
  'ServiceAccount',
  'Secret',
  'SealedSecret',
  'ExternalSecret',
  'ConfigMap',
  'PersistentVolumeClaim',
  'Service',
  'StatefulSet',
  'Cluster',
  'RedisFailover',
  'ScheduledBackup',
  'Job',
  'Deployment',
  'Rollout',
  'CronJob',
  'HorizontalPodAutoscaler',
  'VerticalPodAutoscaler',
  'ScaledObject',
  'PodDisruptionBudget',
  'NetworkPolicy',
  'Ingress',
  'ServiceMonitor',
  'PrometheusRule',
] as const;

export function kindRank(kind: string): number {
  const i = (KIND_ORDER as readonly string[]).indexOf(kind);
  return i === -1 ? KIND_ORDER.length : i;
}

export function sortObjects(objects: KubeObject[]): KubeObject[] {
  return [...objects].sort(
    (a, b) =>
      kindRank(a.kind) - kindRank(b.kind) ||
      (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0),
  );
}
