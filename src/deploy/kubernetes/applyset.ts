/**
 * The environment's objects as one ApplySet (KEP-3659, what `kubectl apply --prune --applyset`
 * uses): a parent Secret `slipway-applyset-<app>-<env>` labelled `applyset.kubernetes.io/id`, and
 * every member labelled `applyset.kubernetes.io/part-of=<id>`. The parent lists the member
 * group-kinds (`contains-group-kinds`), so kubectl — and the next deploy — can find every member
 * with one labelled LIST per kind and prune what is no longer rendered.
 */
import { createHash } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';
import { EngineError } from '../../cli/errors.ts';
import { apiCode, describeApiError } from './_api-error.ts';
import type { Cluster } from './cluster.ts';
import { refKey, refOf } from './refs.ts';

export const APPLYSET = {
  id: 'applyset.kubernetes.io/id',
  partOf: 'applyset.kubernetes.io/part-of',
  tooling: 'applyset.kubernetes.io/tooling',
  groupKinds: 'applyset.kubernetes.io/contains-group-kinds',
} as const;

export interface ApplySetParent {
  name: string;
  namespace: string;
  id: string;
}

export function applySetParent(app: string, environment: string, namespace: string): ApplySetParent {
  const name = `slipway-applyset-${app}-${environment}`.slice(0, 253);
  return { name, namespace, id: applySetId(name, namespace, 'Secret', '') };
}

/** kubectl's ID: `applyset-<base64url(sha256("<name>.<namespace>.<Kind>.<group>"))>-v1`. */
export function applySetId(name: string, namespace: string, kind: string, group: string): string {
  const hash = createHash('sha256').update(`${name}.${namespace}.${kind}.${group}`).digest('base64url');
  return `applyset-${hash}-v1`;
}

/** `Deployment.apps`, `Service` (core group has no suffix), as kubectl writes them. */
export function groupKind(o: { apiVersion: string; kind: string }): string {
  const slash = o.apiVersion.indexOf('/');
  return slash === -1 ? o.kind : `${o.kind}.${o.apiVersion.slice(0, slash)}`;
}

/** The objects with the membership label added (pure; the inputs are not changed). */
export function withMembership<T extends KubernetesObject>(
  objects: readonly T[],
  parent: ApplySetParent,
): T[] {
  return objects.map((o) => ({
    ...o,
    metadata: { ...o.metadata, labels: { ...(o.metadata?.labels ?? {}), [APPLYSET.partOf]: parent.id } },
  }));
}

/** The parent Secret, listing `groupKinds` (sorted, comma-separated as kubectl writes them). */
export function parentObject(
  parent: ApplySetParent,
  groupKinds: Iterable<string>,
): KubernetesObject & { type: string } {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name: parent.name,
      namespace: parent.namespace,
      labels: { [APPLYSET.id]: parent.id, 'app.kubernetes.io/managed-by': 'slipway' },
      annotations: {
        // kubectl refuses to mutate a set another tool manages, and reads it fine.
        [APPLYSET.tooling]: 'slipway/v1',
        [APPLYSET.groupKinds]: [...new Set(groupKinds)].sort().join(','),
      },
    },
  };
}

/** The group-kinds the live parent lists (empty when there is no parent yet). */
export async function liveGroupKinds(cluster: Cluster, parent: ApplySetParent): Promise<string[]> {
  try {
    const s = await cluster.core.readNamespacedSecret({ name: parent.name, namespace: parent.namespace });
    const v = s.metadata?.annotations?.[APPLYSET.groupKinds] ?? '';
    return v.split(',').filter((x) => x !== '');
  } catch (e) {
    if (apiCode(e) === 404) return [];
    throw new EngineError(
      `could not read the ApplySet parent Secret/${parent.name} in namespace ${parent.namespace}`,
      describeApiError(e),
    );
  }
}

/**
 * Every live member of the set, by ref key: one labelled LIST per kind. `apiVersions` maps a
 * group-kind to the version to list it with (from the rendered objects and earlier releases);
 * group-kinds with no known version, or whose API is gone, are skipped.
 */
export async function listMembers(
  cluster: Cluster,
  parent: ApplySetParent,
  groupKinds: Iterable<string>,
  apiVersions: ReadonlyMap<string, string>,
): Promise<Map<string, KubernetesObject>> {
  const out = new Map<string, KubernetesObject>();
  const selector = `${APPLYSET.partOf}=${parent.id}`;
  await Promise.all(
    [...new Set(groupKinds)].map(async (gk) => {
      const apiVersion = apiVersions.get(gk);
      if (!apiVersion) return;
      const kind = gk.split('.')[0] as string;
      const clusterScoped = kind === 'Namespace';
      let list: { items: KubernetesObject[] };
      try {
        list = await cluster.objects.list(
          apiVersion,
          kind,
          clusterScoped ? undefined : parent.namespace,
          undefined,
          undefined,
          undefined,
          undefined,
          selector,
        );
      } catch (e) {
        if (apiCode(e) === 404) return;
        throw new EngineError(
          `could not list ${kind} (${apiVersion}) of the ApplySet ${parent.name} in namespace ${parent.namespace}`,
          describeApiError(e),
        );
      }
      for (const item of list.items) {
        // LIST items carry no apiVersion/kind of their own.
        const o = { ...item, apiVersion, kind };
        out.set(refKey(refOf(o)), o);
      }
    }),
  );
  return out;
}

/** group-kind → apiVersion from any objects (later ones win). */
export function apiVersionsOf(...sets: readonly (readonly KubernetesObject[])[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const set of sets)
    for (const o of set)
      if (o.apiVersion && o.kind) m.set(groupKind({ apiVersion: o.apiVersion, kind: o.kind }), o.apiVersion);
  return m;
}
