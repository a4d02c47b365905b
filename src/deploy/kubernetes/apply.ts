/**
 * Server-side apply with one field manager (`slipway`), decided by a server-side dry-run first:
 * each object is dry-run applied, the prediction is compared with the live object (both
 * normalised), and only objects that would change are applied for real — an unchanged deploy
 * sends no PATCH at all.
 *
 * Conflicts: a field another manager took over is either drift (Slipway applied that field in the
 * last release and someone changed it since, e.g. `kubectl edit`) — restored, and reported — or a
 * real conflict (Slipway never owned it): refused with the other manager's name unless
 * `--force-conflicts`.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { EngineError } from '../../cli/errors.ts';
import { kindRank } from '../../render/kubernetes/_object.ts';
import { apiCode, describeApiError } from './_api-error.ts';
import { type Cluster, serverSideApply } from './cluster.ts';
import { type ObjectRef, refKey, refLabel, refOf } from './refs.ts';

export type Action = 'create' | 'update' | 'unchanged';

export interface FieldConflict {
  manager: string;
  field: string;
}

export interface PlannedChange {
  ref: ObjectRef;
  key: string;
  desired: KubernetesObject;
  /** The live object (plain JSON), when it is a member already. */
  live?: KubernetesObject;
  /** What the server says the object would be after the apply (plain JSON). */
  predicted: KubernetesObject;
  action: Action;
  /** Apply with force: drift being restored, or --force-conflicts. */
  force: boolean;
  /** Fields another manager changed since Slipway applied them (restored by this apply). */
  drift: FieldConflict[];
}

/** The typed client returns class instances (Dates…): back to plain JSON as the server sent it. */
export function plain<T>(o: T): T {
  return JSON.parse(JSON.stringify(o)) as T;
}

const SERVER_METADATA = [
  'managedFields',
  'resourceVersion',
  'uid',
  'generation',
  'creationTimestamp',
  'selfLink',
];

/** What a person (and the comparison) cares about: no status, no server bookkeeping. */
export function normalize(o: KubernetesObject): KubernetesObject {
  const {
    apiVersion,
    kind,
    metadata,
    status: _status,
    ...rest
  } = plain(o) as KubernetesObject & { status?: unknown };
  // One key order for both sides (LIST items and dry-run results order them differently).
  const copy = { apiVersion, kind, metadata, ...rest } as KubernetesObject;
  if (copy.metadata) {
    const m = copy.metadata as Record<string, unknown>;
    for (const k of SERVER_METADATA) delete m[k];
    if (m.annotations && Object.keys(m.annotations).length === 0) delete m.annotations;
  }
  return copy;
}

/** Deep equality of two JSON values, object key order ignored. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

/** The API server's Status object of a failed call, parsed. */
function statusOf(e: unknown): {
  message?: string;
  details?: { causes?: { message?: string; field?: string }[] };
} {
  const body = (e as { body?: unknown }).body;
  if (typeof body === 'string') {
    try {
      return JSON.parse(body);
    } catch {
      return { message: body };
    }
  }
  return (body as object | undefined) ?? {};
}

/** `conflict with "kubectl-edit" using apps/v1` + field → manager and field. */
export function conflictsOf(e: unknown): FieldConflict[] {
  return (statusOf(e).details?.causes ?? []).map((c) => ({
    manager: /conflict with "([^"]+)"/.exec(c.message ?? '')?.[1] ?? 'another manager',
    field: c.field ?? '?',
  }));
}

/**
 * Does `obj` set the field at a managed-fields path such as
 * `.spec.template.spec.containers[name="web"].env[name="A"].value`?
 */
export function hasField(obj: unknown, path: string): boolean {
  let cur: unknown = obj;
  for (const m of path.matchAll(/\.([^.[]+)|\[([^\]]*)\]/g)) {
    if (cur === null || typeof cur !== 'object') return false;
    if (m[1] !== undefined) {
      if (!(m[1] in (cur as object))) return false;
      cur = (cur as Record<string, unknown>)[m[1]];
      continue;
    }
    if (!Array.isArray(cur)) return false;
    const keys = [...(m[2] ?? '').matchAll(/([\w-]+)=("(?:[^"\\]|\\.)*"|[^,]+)/g)].map(
      ([, k, v]) => [k as string, JSON.parse(v as string) as unknown] as const,
    );
    if (keys.length === 0) return false;
    cur = cur.find(
      (el) =>
        el !== null &&
        typeof el === 'object' &&
        keys.every(([k, v]) => String((el as Record<string, unknown>)[k]) === String(v)),
    );
    if (cur === undefined) return false;
  }
  return true;
}

export class ApplyConflictError extends EngineError {
  readonly conflicts: { ref: ObjectRef; conflicts: FieldConflict[] }[];
  constructor(conflicts: { ref: ObjectRef; conflicts: FieldConflict[] }[]) {
    super(
      `${conflicts.length} object(s) have fields owned by another field manager; nothing was changed`,
      `${conflicts
        .map(
          (c) =>
            `${refLabel(c.ref)}: ${c.conflicts.map((f) => `${f.field} (owned by "${f.manager}")`).join(', ')}`,
        )
        .join(
          '\n',
        )}\n  = hint: make the other tool stop managing these fields, or take them over with --force-conflicts`,
    );
    this.conflicts = conflicts;
  }
}

async function dryRun(cluster: Cluster, o: KubernetesObject, force: boolean): Promise<KubernetesObject> {
  return serverSideApply(cluster, o, { force, dryRun: true });
}

/** Runs `fn` over `items` with at most `limit` in flight, results in input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (t: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Dry-runs every desired object and says which would change. `live`: the set's members by ref key;
 * `appliedBefore`: the last release's objects by ref key (what Slipway owned).
 */
export async function planApply(
  cluster: Cluster,
  desired: readonly KubernetesObject[],
  live: ReadonlyMap<string, KubernetesObject>,
  o: { forceConflicts: boolean; appliedBefore: ReadonlyMap<string, KubernetesObject> },
): Promise<PlannedChange[]> {
  const refused: { ref: ObjectRef; conflicts: FieldConflict[] }[] = [];
  const planned = await mapLimit(desired, 8, async (d): Promise<PlannedChange | undefined> => {
    const ref = refOf(d);
    const key = refKey(ref);
    let force = o.forceConflicts;
    let drift: FieldConflict[] = [];
    let predicted: KubernetesObject;
    try {
      predicted = await dryRun(cluster, d, force);
    } catch (e) {
      if (apiCode(e) !== 409) throw applyError(ref, e);
      const conflicts = conflictsOf(e);
      const before = o.appliedBefore.get(key);
      if (conflicts.length === 0 || !before || !conflicts.every((c) => hasField(before, c.field))) {
        refused.push({ ref, conflicts });
        return undefined;
      }
      // Every contested field was Slipway's in the last release: someone changed it since. Restore.
      drift = conflicts;
      force = true;
      try {
        predicted = await dryRun(cluster, d, true);
      } catch (e2) {
        throw applyError(ref, e2);
      }
    }
    const p = plain(predicted);
    const l = live.get(key);
    const action: Action = !l
      ? 'create'
      : sameJson(normalize(p), normalize(plain(l)))
        ? 'unchanged'
        : 'update';
    return { ref, key, desired: d, ...(l ? { live: plain(l) } : {}), predicted: p, action, force, drift };
  });
  if (refused.length > 0) throw new ApplyConflictError(refused);
  return planned.filter((p): p is PlannedChange => p !== undefined);
}

function applyError(ref: ObjectRef, e: unknown): EngineError {
  return new EngineError(`the API server refused ${refLabel(ref)}`, describeApiError(e));
}

/**
 * Applies the changes that change something, in the renderer's order (kinds by rank; objects of
 * one rank together). Returns the applied objects' keys.
 */
export async function applyChanges(cluster: Cluster, changes: readonly PlannedChange[]): Promise<string[]> {
  const todo = changes.filter((c) => c.action !== 'unchanged');
  const ranks = [...new Set(todo.map((c) => kindRank(c.ref.kind)))].sort((a, b) => a - b);
  for (const rank of ranks) {
    await mapLimit(
      todo.filter((c) => kindRank(c.ref.kind) === rank),
      8,
      async (c) => {
        try {
          await serverSideApply(cluster, c.desired, { force: c.force });
        } catch (e) {
          throw applyError(c.ref, e);
        }
      },
    );
  }
  return todo.map((c) => c.key);
}
