/**
 * Waiting for a release to become healthy: bounded polling (no watches: a watch that silently stops
 * delivering events is a classic cause of hung deploys), a deadline, an AbortSignal (Ctrl-C), and
 * failure as a terminal state — the first object that fails ends the wait at once.
 *
 * Each poll reads the objects not yet current (one GET each) and, when a workload is still rolling,
 * one list of Pods and one of ReplicaSets per namespace, matched to the workloads client-side.
 * An object that reached `current` is not read again (as `kubectl rollout status`).
 *
 * On failure or timeout the result carries a diagnosis for people: recent Warning events of the
 * objects and their Pods, Pod statuses with reasons, and the last log lines of failing containers
 * (when the node serves logs: kwok's fake nodes serve none, and that is said instead).
 */
import type { KubernetesObject, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import { apiCode, describeApiError } from './_api-error.ts';
import { selects } from './_selectors.ts';
import { sleep } from './_sleep.ts';
import type { Cluster } from './cluster.ts';
import { assessHealth, FAILING_WAITING_REASONS, notFound, type ObjectHealth } from './health.ts';
import { type ObjectRef, refKey, refLabel } from './refs.ts';

export interface WaitOptions {
  deadlineSeconds: number;
  /** Between polls, once the first quick ones (100, 200, 400 ms) are done (default 500 ms). */
  pollMs?: number;
  signal?: AbortSignal;
  /** Called after every poll with the health of every object. */
  onUpdate?: (all: ObjectHealth[]) => void;
}

export interface WaitResult {
  ok: boolean;
  timedOut: boolean;
  /** The signal fired before the objects became healthy. */
  aborted: boolean;
  health: ObjectHealth[];
  /** The objects that failed; on timeout or abort, the ones that were not current. */
  failed: ObjectHealth[];
  /** Events, pod statuses and last log lines for the objects in `failed` (empty when ok). */
  diagnosis: string;
}

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'Rollout']);
const LOG_LINES = 20;

export async function waitForHealth(
  cluster: Cluster,
  refs: ObjectRef[],
  o: WaitOptions,
): Promise<WaitResult> {
  const pollMs = o.pollMs ?? 500;
  const deadline = Date.now() + o.deadlineSeconds * 1000;
  const health = new Map<string, ObjectHealth>(refs.map((r) => [refKey(r), notFound(r)]));
  const settled = new Set<string>();
  const podsOf = new Map<string, V1Pod[]>();
  const bindingModes = storageBindingModes(cluster);
  let polls = 0;

  for (;;) {
    const pending = refs.filter((r) => !settled.has(refKey(r)));
    const live = await Promise.all(pending.map((r) => readLive(cluster, r)));
    const rolling = pending.flatMap((r, i) => {
      const obj = live[i];
      return obj && !('error' in obj) && WORKLOADS.has(r.kind) ? [{ ref: r, obj }] : [];
    });
    // A failed list (an API server blip) only means no Pod verdict this round.
    const current = await currentPods(cluster, rolling).catch(() => new Map<string, V1Pod[]>());
    const modes = await Promise.all(
      live.map((obj) => (obj && !('error' in obj) ? bindingModes.of(obj) : undefined)),
    );
    pending.forEach((r, i) => {
      const key = refKey(r);
      const obj = live[i];
      if (obj && 'error' in obj) {
        health.set(key, { ref: r, state: obj.permanent ? 'failed' : 'in-progress', message: obj.error });
        return;
      }
      const pods = current.get(key) ?? [];
      podsOf.set(key, pods);
      const h = assessHealth(obj, pods, r, { volumeBindingMode: modes[i] });
      health.set(key, h);
      if (h.state === 'current') settled.add(key);
    });
    const all = refs.map((r) => health.get(refKey(r)) as ObjectHealth);
    o.onUpdate?.(all);

    const failed = all.filter((h) => h.state === 'failed');
    const done = settled.size === refs.length;
    const timedOut = !done && failed.length === 0 && Date.now() >= deadline;
    const aborted = !done && failed.length === 0 && !timedOut && o.signal?.aborted === true;
    if (done) return { ok: true, timedOut: false, aborted: false, health: all, failed: [], diagnosis: '' };
    if (failed.length > 0 || timedOut || aborted) {
      const bad = failed.length > 0 ? failed : all.filter((h) => h.state !== 'current');
      const diagnosis = await diagnose(cluster, bad, podsOf);
      return { ok: false, timedOut, aborted, health: all, failed: bad, diagnosis };
    }
    // Quick first polls (100, 200, 400 ms…) catch fast rollouts without a watch; then every pollMs.
    const interval = Math.min(pollMs, 100 * 2 ** polls++);
    await sleep(Math.min(interval, Math.max(0, deadline - Date.now())), o.signal);
  }
}

/**
 * The `volumeBindingMode` of a Pending claim's StorageClass (one GET per class, remembered), for
 * assessHealth; undefined for anything else, or when the class cannot be read.
 */
export function storageBindingModes(cluster: Cluster): {
  of: (live: KubernetesObject) => Promise<string | undefined>;
} {
  const known = new Map<string, Promise<string | undefined>>();
  return {
    of(live) {
      const pvc = live as KubernetesObject & {
        spec?: { storageClassName?: string };
        status?: { phase?: string };
      };
      const name = pvc.spec?.storageClassName;
      if (live.kind !== 'PersistentVolumeClaim' || !name || pvc.status?.phase === 'Bound')
        return Promise.resolve(undefined);
      let mode = known.get(name);
      if (mode === undefined) {
        mode = cluster.objects
          .read({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name } })
          .then((sc) => (sc as { volumeBindingMode?: string }).volumeBindingMode)
          .catch(() => undefined);
        known.set(name, mode);
      }
      return mode;
    },
  };
}

/** The live object, undefined when absent, or why it could not be read (retried next poll unless permanent). */
async function readLive(
  cluster: Cluster,
  r: ObjectRef,
): Promise<KubernetesObject | undefined | { error: string; permanent: boolean }> {
  try {
    return await cluster.objects.read({
      apiVersion: r.apiVersion,
      kind: r.kind,
      metadata: r.namespace ? { name: r.name, namespace: r.namespace } : { name: r.name },
    });
  } catch (e) {
    // The client's discovery (a 404 too) means the server does not serve the kind: not "absent".
    const unserved = /Failed to fetch resource metadata|Unrecognized API version and kind/.test(String(e));
    const code = apiCode(e);
    if (code === 404 && !unserved) return undefined;
    // Not allowed to read it, or a kind the server does not serve: waiting longer will not help.
    const permanent = unserved || code === 401 || code === 403;
    const why = unserved
      ? `the server does not serve ${r.apiVersion} ${r.kind} (is its CRD installed?)`
      : describeApiError(e);
    return { error: `could not read it: ${why}`, permanent };
  }
}

type Workload = KubernetesObject & {
  spec?: { selector?: { matchLabels?: Record<string, string> } };
  status?: { updateRevision?: string; currentPodHash?: string };
};

/**
 * The Pods of each workload's *current* template: a Deployment's newest ReplicaSet (same revision
 * annotation), a StatefulSet's update revision, an Argo Rollout's current pod hash, a Job's own
 * Pods. One list of Pods (and of ReplicaSets, for Deployments) per namespace.
 */
async function currentPods(
  cluster: Cluster,
  workloads: { ref: ObjectRef; obj: KubernetesObject }[],
): Promise<Map<string, V1Pod[]>> {
  const out = new Map<string, V1Pod[]>();
  const namespaces = [...new Set(workloads.map((w) => w.ref.namespace).filter((n): n is string => !!n))];
  for (const ns of namespaces) {
    const here = workloads.filter((w) => w.ref.namespace === ns);
    const [pods, replicaSets] = await Promise.all([
      cluster.core.listNamespacedPod({ namespace: ns }).then((l) => l.items),
      here.some((w) => w.ref.kind === 'Deployment')
        ? cluster.apps.listNamespacedReplicaSet({ namespace: ns }).then((l) => l.items)
        : Promise.resolve([] as V1ReplicaSet[]),
    ]);
    for (const { ref, obj } of here) {
      const w = obj as Workload;
      const uid = w.metadata?.uid;
      const labels = (p: V1Pod) => p.metadata?.labels ?? {};
      const owned = (o: Owned) => ownedBy(o, uid);
      let mine: V1Pod[];
      switch (ref.kind) {
        case 'Deployment': {
          const revision = w.metadata?.annotations?.['deployment.kubernetes.io/revision'];
          const rs = replicaSets.find(
            (s) => owned(s) && s.metadata?.annotations?.['deployment.kubernetes.io/revision'] === revision,
          );
          const hash = rs?.metadata?.labels?.['pod-template-hash'];
          mine = hash
            ? pods.filter((p) => labels(p)['pod-template-hash'] === hash && ownedBy(p, rs?.metadata?.uid))
            : [];
          break;
        }
        case 'StatefulSet': {
          const rev = w.status?.updateRevision;
          mine = pods.filter((p) => owned(p) && (!rev || labels(p)['controller-revision-hash'] === rev));
          break;
        }
        case 'Rollout': {
          const hash = w.status?.currentPodHash;
          mine = pods.filter(
            (p) =>
              selects(w.spec?.selector, labels(p)) &&
              (!hash || labels(p)['rollouts-pod-template-hash'] === hash),
          );
          break;
        }
        default:
          mine = pods.filter(owned);
      }
      out.set(refKey(ref), mine);
    }
  }
  return out;
}

type Owned = { metadata?: { ownerReferences?: { uid?: string }[] } };

function ownedBy(o: Owned, uid: string | undefined): boolean {
  return uid !== undefined && (o.metadata?.ownerReferences ?? []).some((r) => r.uid === uid);
}

// ---------------------------------------------------------------------------------------------------------
// Diagnosis

/** Text for people: per object, its reason, Warning events, Pod statuses and the failing containers' last log lines. */
async function diagnose(
  cluster: Cluster,
  bad: ObjectHealth[],
  podsOf: Map<string, V1Pod[]>,
): Promise<string> {
  const lines: string[] = [];
  const eventsByNs = new Map<string, Awaited<ReturnType<typeof warningEvents>>>();
  for (const h of bad) {
    const ns = h.ref.namespace;
    const pods = podsOf.get(refKey(h.ref)) ?? [];
    lines.push(`${refLabel(h.ref)}: ${h.state}: ${h.message}`);
    if (ns) {
      if (!eventsByNs.has(ns)) eventsByNs.set(ns, await warningEvents(cluster, ns));
      const names = new Set([h.ref.name, ...pods.map((p) => p.metadata?.name ?? '')]);
      const events = (eventsByNs.get(ns) ?? [])
        .filter((e) => names.has(e.object) || e.object.startsWith(`${h.ref.name}-`))
        .slice(-10);
      if (events.length > 0) {
        lines.push('  events:');
        for (const e of events)
          lines.push(
            `    ${e.reason} ${e.kind}/${e.object}: ${e.message}${e.count > 1 ? ` (x${e.count})` : ''}`,
          );
      }
    }
    const shown = pods.filter((p) => !isReady(p)).slice(0, 5);
    if (shown.length > 0) {
      lines.push('  pods:');
      for (const p of shown) lines.push(`    ${podLine(p)}`);
    }
    for (const p of shown.slice(0, 3)) {
      for (const c of failingContainers(p)) {
        const log = await lastLogLines(cluster, p, c.name, c.previous);
        lines.push(`  logs ${p.metadata?.name}/${c.name}${c.previous ? ' (previous run)' : ''}:`);
        lines.push(...log.map((l) => `    ${l}`));
      }
    }
  }
  return lines.join('\n');
}

async function warningEvents(
  cluster: Cluster,
  namespace: string,
): Promise<{ kind: string; object: string; reason: string; message: string; count: number }[]> {
  try {
    const list = await cluster.core.listNamespacedEvent({ namespace, fieldSelector: 'type=Warning' });
    return list.items
      .map((e) => ({
        at: new Date(
          (e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? 0) as Date,
        ).getTime(),
        kind: e.involvedObject.kind ?? '',
        object: e.involvedObject.name ?? '',
        reason: e.reason ?? '',
        message: (e.message ?? '').trim(),
        count: e.count ?? 1,
      }))
      .sort((a, b) => a.at - b.at);
  } catch {
    return []; // diagnosis is best effort: never hide the failure behind an error reading events
  }
}

function isReady(p: V1Pod): boolean {
  return (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** `web-5d9-x  Running  0/1 ready  web: waiting CrashLoopBackOff (…), restarts 4, last exit 1 Error` */
export function podLine(p: V1Pod): string {
  const cs = p.status?.containerStatuses ?? [];
  const ready = cs.filter((c) => c.ready).length;
  const parts = [
    ...(p.status?.initContainerStatuses ?? []).map((c) => ({ c, init: true })),
    ...cs.map((c) => ({ c, init: false })),
  ]
    .filter(({ c }) => !c.ready)
    .map(({ c, init }) => {
      const s = c.state ?? {};
      const st = s.waiting
        ? `waiting ${s.waiting.reason ?? ''}${s.waiting.message ? ` (${s.waiting.message})` : ''}`
        : s.terminated
          ? `terminated ${s.terminated.reason ?? ''} exit ${s.terminated.exitCode}`
          : s.running
            ? 'running, not ready'
            : 'no state';
      const last = c.lastState?.terminated;
      return `${init ? 'init ' : ''}${c.name}: ${st}, restarts ${c.restartCount}${last ? `, last exit ${last.exitCode} ${last.reason ?? ''}`.trimEnd() : ''}`;
    });
  const sched = (p.status?.conditions ?? []).find((c) => c.type === 'PodScheduled' && c.status === 'False');
  if (sched) parts.push(`not scheduled: ${sched.message ?? sched.reason ?? ''}`);
  return `${p.metadata?.name}  ${p.status?.phase ?? '?'}  ${ready}/${(p.spec?.containers ?? []).length} ready  ${parts.join('; ')}`.trimEnd();
}

function failingContainers(p: V1Pod): { name: string; previous: boolean }[] {
  const out: { name: string; previous: boolean }[] = [];
  for (const c of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) {
    const reason = c.state?.waiting?.reason;
    const crashed = reason === 'CrashLoopBackOff';
    const exited = (c.state?.terminated?.exitCode ?? 0) !== 0;
    if (
      crashed ||
      exited ||
      (reason && FAILING_WAITING_REASONS.has(reason)) ||
      (!c.ready && c.state?.running)
    )
      out.push({ name: c.name, previous: crashed });
  }
  return out;
}

/** The last log lines of a container (the crashed run's, for a crash loop); says why when there are none. */
export async function lastLogLines(
  cluster: Cluster,
  p: V1Pod,
  container: string,
  previous: boolean,
): Promise<string[]> {
  const name = p.metadata?.name ?? '';
  const namespace = p.metadata?.namespace ?? '';
  const read = (prev: boolean) =>
    cluster.core.readNamespacedPodLog({ name, namespace, container, tailLines: LOG_LINES, previous: prev });
  try {
    let text: string;
    try {
      text = await read(previous);
    } catch (e) {
      if (!previous) throw e;
      text = await read(false);
    }
    const lines = text.split('\n').filter((l, i, a) => l !== '' || i < a.length - 1);
    return lines.length > 0 ? lines.slice(-LOG_LINES) : ['(no log output)'];
  } catch (e) {
    return [`(logs unavailable: ${describeApiError(e).split('\n')[0]})`];
  }
}
