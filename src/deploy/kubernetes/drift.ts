/**
 * Drift: live objects changed outside Slipway since the current release. The release's own objects
 * are dry-run applied again; an object whose prediction differs from the live one was changed (or
 * deleted) by someone else, on fields Slipway manages — fields other tools own and Slipway never
 * set are not drift. The next deploy restores them (see apply.ts: conflicts on Slipway's own fields).
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import jsonpatch from 'fast-json-patch';
import { normalize, type PlannedChange, planApply } from './apply.ts';
import type { Cluster } from './cluster.ts';
import { hookPhase } from './desired.ts';
import { refKey, refLabel, refOf } from './refs.ts';

export interface Drift {
  object: string;
  state: 'changed' | 'missing';
  /** JSON pointers of the fields that differ (`/spec/replicas`). */
  fields: string[];
  /** Field managers that took Slipway's fields over, when the server named them. */
  changedBy: string[];
}

/** Drift of one planned change (pure). */
export function driftOf(c: PlannedChange): Drift | undefined {
  if (c.action === 'unchanged') return undefined;
  if (!c.live) return { object: refLabel(c.ref), state: 'missing', fields: [], changedBy: [] };
  const fields = jsonpatch
    .compare(normalize(c.live), normalize(c.predicted))
    .map((op) => op.path)
    .filter((p) => !p.startsWith('/metadata/labels/applyset.kubernetes.io'));
  return {
    object: refLabel(c.ref),
    state: 'changed',
    fields,
    changedBy: [...new Set(c.drift.map((d) => d.manager))],
  };
}

/** The release objects worth checking: hook Jobs ran once and may be gone by design. */
export function driftCandidates(objects: readonly KubernetesObject[]): KubernetesObject[] {
  return objects.filter((o) => !(o.kind === 'Job' && hookPhase(o)));
}

export async function detectDrift(
  cluster: Cluster,
  released: readonly KubernetesObject[],
  live: ReadonlyMap<string, KubernetesObject>,
): Promise<Drift[]> {
  const objects = driftCandidates(released);
  const before = new Map(objects.map((o) => [refKey(refOf(o)), o]));
  const plan = await planApply(cluster, objects, live, { forceConflicts: false, appliedBefore: before });
  return plan.map(driftOf).filter((d): d is Drift => d !== undefined);
}
