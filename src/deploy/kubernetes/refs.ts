/** Naming live objects: a reference (group/version, kind, namespace, name) and a stable string key. */
import type { KubernetesObject } from '@kubernetes/client-node';

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

/** The reference of an object (throws on an object without kind or name: that is a bug upstream). */
export function refOf(o: KubernetesObject): ObjectRef {
  const { apiVersion, kind } = o;
  const name = o.metadata?.name;
  if (!apiVersion || !kind || !name)
    throw new Error(`object without apiVersion/kind/name: ${JSON.stringify(o)}`);
  const namespace = o.metadata?.namespace;
  return namespace ? { apiVersion, kind, namespace, name } : { apiVersion, kind, name };
}

/** `apps/v1/Deployment/ns/name` (`v1/Namespace//name` for cluster-scoped objects). */
export function refKey(r: ObjectRef): string {
  return `${r.apiVersion}/${r.kind}/${r.namespace ?? ''}/${r.name}`;
}

/** `Deployment/name`, for people. */
export function refLabel(r: ObjectRef): string {
  return `${r.kind}/${r.name}`;
}
