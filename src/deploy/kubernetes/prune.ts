/**
 * Pruning: live members of the environment's ApplySet that the release no longer contains are
 * deleted, dependents first (reverse apply order). The Namespace is never pruned (only `down`
 * may delete it, and only when Slipway created it).
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { EngineError } from '../../cli/errors.ts';
import { kindRank } from '../../render/kubernetes/_object.ts';
import { apiCode, describeApiError } from './_api-error.ts';
import { mapLimit } from './apply.ts';
import type { Cluster } from './cluster.ts';
import { type ObjectRef, refKey, refLabel, refOf } from './refs.ts';

/** Members to delete: live, not kept, not the Namespace; dependents first. Pure. */
export function pruneCandidates(
  live: ReadonlyMap<string, KubernetesObject>,
  keep: ReadonlySet<string>,
): KubernetesObject[] {
  return [...live]
    .filter(([key, o]) => !keep.has(key) && o.kind !== 'Namespace')
    .map(([, o]) => o)
    .sort(
      (a, b) =>
        kindRank(b.kind ?? '') - kindRank(a.kind ?? '') ||
        (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''),
    );
}

/** Deletes `objects` (background propagation: Pods go with their Deployment); gone already is fine. */
export async function deleteObjects(
  cluster: Cluster,
  objects: readonly KubernetesObject[],
): Promise<ObjectRef[]> {
  const ranks = [...new Set(objects.map((o) => kindRank(o.kind ?? '')))].sort((a, b) => b - a);
  const done: ObjectRef[] = [];
  for (const rank of ranks) {
    await mapLimit(
      objects.filter((o) => kindRank(o.kind ?? '') === rank),
      8,
      async (o) => {
        const ref = refOf(o);
        try {
          await cluster.objects.delete(
            {
              apiVersion: ref.apiVersion,
              kind: ref.kind,
              metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) },
            },
            undefined,
            undefined,
            undefined,
            undefined,
            'Background',
          );
          done.push(ref);
        } catch (e) {
          if (apiCode(e) === 404) return;
          throw new EngineError(`could not delete ${refLabel(ref)}`, describeApiError(e));
        }
      },
    );
  }
  return done;
}

export async function prune(
  cluster: Cluster,
  live: ReadonlyMap<string, KubernetesObject>,
  keep: readonly KubernetesObject[],
): Promise<ObjectRef[]> {
  return deleteObjects(cluster, pruneCandidates(live, new Set(keep.map((o) => refKey(refOf(o))))));
}
