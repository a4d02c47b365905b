/**
 * Is a live object healthy? kstatus-style rules per kind (sigs.k8s.io/cli-utils/pkg/kstatus), pure:
 *
 *   current      the controller observed the latest spec and the object reached it
 *   in-progress  still converging (rolling, scaling, binding, waiting for its controller)
 *   failed       will not converge without a change: Deployment past its progress deadline, Job
 *                failed, PVC lost, Argo Rollout degraded, or one of the workload's current Pods is
 *                in CrashLoopBackOff / ImagePullBackOff / ErrImagePull / CreateContainerConfigError /
 *                a failed init container — decided now, not when the deadline passes
 *   not-found    absent
 *
 * `pods` are the workload's Pods of the *current* template (wait.ts selects them: a Deployment's
 * newest ReplicaSet, a StatefulSet's update revision, a Job's own Pods), so a crash-looping Pod of
 * the release being replaced never fails the one replacing it.
 */
import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import { type ObjectRef, refOf } from './refs.ts';

export type HealthState = 'current' | 'in-progress' | 'failed' | 'not-found';

export interface ObjectHealth {
  ref: ObjectRef;
  state: HealthState;
  message: string;
  /** Pods (names) whose state made the object fail. */
  failingPods?: string[];
}

/** Container waiting reasons that do not fix themselves: the workload has failed. */
export const FAILING_WAITING_REASONS: ReadonlySet<string> = new Set([
  'CrashLoopBackOff',
  'ImagePullBackOff',
  'ErrImagePull',
  'ErrImageNeverPull',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);

// Loose views of the fields read below: live objects arrive as plain JSON.
interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}
interface Live extends KubernetesObject {
  spec?: Record<string, unknown>;
  status?: Record<string, unknown> & { conditions?: Condition[]; observedGeneration?: number | string };
}

const num = (v: unknown, fallback = 0): number => (typeof v === 'number' ? v : fallback);
const cond = (o: Live, type: string): Condition | undefined =>
  o.status?.conditions?.find((c) => c.type === type);

/** Why a Pod will not become ready by itself, or undefined (pure). */
export function podFailure(pod: V1Pod): string | undefined {
  if (pod.metadata?.deletionTimestamp) return undefined;
  for (const c of pod.status?.initContainerStatuses ?? []) {
    const w = c.state?.waiting;
    if (w?.reason && FAILING_WAITING_REASONS.has(w.reason))
      return `init container ${c.name}: ${w.reason}${w.message ? ` (${w.message})` : ''}`;
    const t = c.state?.terminated;
    if (t && t.exitCode !== 0 && pod.spec?.restartPolicy === 'Never')
      return `init container ${c.name} exited ${t.exitCode}${t.reason ? ` (${t.reason})` : ''}`;
  }
  for (const c of pod.status?.containerStatuses ?? []) {
    const w = c.state?.waiting;
    if (w?.reason && FAILING_WAITING_REASONS.has(w.reason)) {
      const last = c.lastState?.terminated;
      const exit = last ? `, last exit ${last.exitCode}${last.reason ? ` ${last.reason}` : ''}` : '';
      return `container ${c.name}: ${w.reason}${w.message ? ` (${w.message})` : ''}${exit}`;
    }
  }
  return undefined;
}

/** The health of one live object; `pods` are its current Pods, for workloads (pure). */
export function assessHealth(
  live: KubernetesObject | undefined,
  pods: readonly V1Pod[] = [],
  /** Names an absent object (`live` undefined). */
  absent?: ObjectRef,
  /** For a PersistentVolumeClaim: its StorageClass's `volumeBindingMode`, when known. */
  storage: { volumeBindingMode?: string | undefined } = {},
): ObjectHealth {
  if (!live) {
    if (!absent) throw new Error('assessHealth: an absent object needs its ref');
    return notFound(absent);
  }
  const o = live as Live;
  const ref = refOf(o);
  const h = (state: HealthState, message: string, failingPods?: string[]): ObjectHealth =>
    failingPods ? { ref, state, message, failingPods } : { ref, state, message };

  if (o.metadata?.deletionTimestamp) return h('in-progress', 'being deleted');
  const generation = o.metadata?.generation;
  const observed = o.status?.observedGeneration;
  // Argo Rollouts wrote a hash here in old versions: compare only numbers.
  const observedN = typeof observed === 'string' && /^\d+$/.test(observed) ? Number(observed) : observed;
  if (typeof generation === 'number' && typeof observedN === 'number' && observedN < generation)
    return h('in-progress', `waiting for the controller to observe generation ${generation}`);
  if (typeof generation === 'number' && observed === undefined && CONTROLLED.has(o.kind ?? ''))
    return h('in-progress', 'waiting for the controller');

  const failing = pods
    .map((p) => ({ name: p.metadata?.name ?? '?', why: podFailure(p) }))
    .filter((p): p is { name: string; why: string } => p.why !== undefined);
  const podFailed = (): ObjectHealth | undefined => {
    const first = failing[0];
    if (!first) return undefined;
    const more = failing.length > 1 ? ` (and ${failing.length - 1} more pod(s))` : '';
    return h(
      'failed',
      `pod ${first.name}: ${first.why}${more}`,
      failing.map((p) => p.name),
    );
  };

  // A claim of a WaitForFirstConsumer class binds only once a Pod using it is scheduled (kind, and
  // most clouds' default classes): Pending is its settled state until then, e.g. a backup CronJob's.
  if (
    o.kind === 'PersistentVolumeClaim' &&
    (o.status?.phase ?? 'Pending') === 'Pending' &&
    storage.volumeBindingMode === 'WaitForFirstConsumer' &&
    !o.metadata?.annotations?.[SELECTED_NODE]
  )
    return h('current', 'waiting for its first consumer (WaitForFirstConsumer): binds when a Pod uses it');
  const rule = RULES[o.kind ?? ''];
  if (rule) return rule(o, h, podFailed);
  return generic(o, h);
}

/** Set on a WaitForFirstConsumer claim once the scheduler placed a Pod using it: binding is under way. */
const SELECTED_NODE = 'volume.kubernetes.io/selected-node';

/** The health of an object that is not there. */
export function notFound(ref: ObjectRef): ObjectHealth {
  return { ref, state: 'not-found', message: 'not found' };
}

type Make = (state: HealthState, message: string, failingPods?: string[]) => ObjectHealth;
type Rule = (o: Live, h: Make, podFailed: () => ObjectHealth | undefined) => ObjectHealth;

/** Kinds whose controller writes status.observedGeneration: no status yet means not yet seen. */
const CONTROLLED = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);

const RULES: Record<string, Rule> = {
  Deployment(o, h, podFailed) {
    const progressing = cond(o, 'Progressing');
    if (progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded')
      return h('failed', `progress deadline exceeded: ${progressing.message ?? ''}`.trim());
    const want = num(o.spec?.replicas, 1);
    const s = o.status ?? {};
    const updated = num(s.updatedReplicas);
    const total = num(s.replicas);
    const available = num(s.availableReplicas);
    const ready = num(s.readyReplicas);
    const done = updated >= want && total <= updated && available >= updated && ready >= want;
    if (done && o.spec?.paused !== true) return h('current', `${available}/${want} available`);
    const failed = podFailed();
    if (failed) return failed;
    if (o.spec?.paused === true) return h('in-progress', 'rollout paused');
    if (updated < want) return h('in-progress', `${updated}/${want} updated`);
    if (total > updated) return h('in-progress', `${total - updated} old replica(s) pending termination`);
    if (available < updated) return h('in-progress', `${available}/${want} available`);
    return h('in-progress', `${ready}/${want} ready`);
  },

  StatefulSet(o, h, podFailed) {
    const want = num(o.spec?.replicas, 1);
    const s = o.status ?? {};
    const ready = num(s.readyReplicas);
    const updated = num(s.updatedReplicas);
    const strategy =
      (o.spec?.updateStrategy as { type?: string; rollingUpdate?: { partition?: number } }) ?? {};
    const rolling = strategy.type !== 'OnDelete';
    const partition = strategy.rollingUpdate?.partition ?? 0;
    const updatedDone = !rolling || updated >= want - partition;
    const revisionDone =
      !rolling || partition > 0 || s.updateRevision === undefined || s.currentRevision === s.updateRevision;
    if (ready >= want && num(s.replicas) <= want && updatedDone && revisionDone)
      return h('current', `${ready}/${want} ready`);
    const failed = podFailed();
    if (failed) return failed;
    if (!updatedDone) return h('in-progress', `${updated}/${want} updated`);
    if (ready < want) return h('in-progress', `${ready}/${want} ready`);
    return h('in-progress', 'rolling to the update revision');
  },

  DaemonSet(o, h, podFailed) {
    const s = o.status ?? {};
    const want = num(s.desiredNumberScheduled);
    const updated = num(s.updatedNumberScheduled);
    const available = num(s.numberAvailable);
    const ready = num(s.numberReady);
    if (updated >= want && available >= want && ready >= want)
      return h('current', `${available}/${want} available`);
    const failed = podFailed();
    if (failed) return failed;
    if (updated < want) return h('in-progress', `${updated}/${want} updated`);
    return h('in-progress', `${available}/${want} available`);
  },

  ReplicaSet(o, h, podFailed) {
    const want = num(o.spec?.replicas, 1);
    const available = num(o.status?.availableReplicas);
    if (available >= want && num(o.status?.readyReplicas) >= want)
      return h('current', `${available}/${want} available`);
    return podFailed() ?? h('in-progress', `${available}/${want} available`);
  },

  Job(o, h, podFailed) {
    const failedCond = o.status?.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
    if (failedCond)
      return h('failed', `job failed: ${failedCond.reason ?? ''} ${failedCond.message ?? ''}`.trim());
    const complete = o.status?.conditions?.find(
      (c) => (c.type === 'Complete' || c.type === 'SuccessCriteriaMet') && c.status === 'True',
    );
    if (complete) return h('current', `complete (${num(o.status?.succeeded)} succeeded)`);
    const failed = podFailed();
    if (failed) return failed;
    if (o.spec?.suspend === true) return h('in-progress', 'suspended');
    const s = o.status ?? {};
    return h(
      'in-progress',
      `${num(s.active)} active, ${num(s.succeeded)} succeeded, ${num(s.failed)} failed`,
    );
  },

  Pod(o, h) {
    const pod = o as unknown as V1Pod;
    const why = podFailure(pod);
    if (why) return h('failed', why, [pod.metadata?.name ?? '?']);
    const phase = pod.status?.phase;
    if (phase === 'Succeeded') return h('current', 'succeeded');
    if (phase === 'Failed')
      return h('failed', `pod failed: ${pod.status?.reason ?? ''} ${pod.status?.message ?? ''}`.trim());
    if (cond(o, 'Ready')?.status === 'True') return h('current', 'ready');
    const unschedulable = cond(o, 'PodScheduled');
    if (unschedulable?.status === 'False')
      return h('in-progress', `not scheduled: ${unschedulable.message ?? unschedulable.reason ?? ''}`.trim());
    return h('in-progress', `not ready (${phase ?? 'no phase'})`);
  },

  PersistentVolumeClaim(o, h) {
    const phase = o.status?.phase as string | undefined;
    if (phase === 'Bound') return h('current', 'bound');
    if (phase === 'Lost') return h('failed', 'volume lost');
    return h('in-progress', `not bound (${phase ?? 'Pending'})`);
  },

  Namespace(o, h) {
    return o.status?.phase === 'Terminating' ? h('in-progress', 'terminating') : h('current', 'active');
  },

  Service(o, h) {
    // A LoadBalancer address depends on the cloud, and waiting for one would stall clusters that
    // have none: report it, never block on it.
    if (o.spec?.type === 'LoadBalancer') {
      const lb = o.status?.loadBalancer as { ingress?: { ip?: string; hostname?: string }[] } | undefined;
      const addr = lb?.ingress?.[0];
      return h(
        'current',
        addr ? `load balancer ${addr.ip ?? addr.hostname}` : 'load balancer address pending',
      );
    }
    return h('current', 'exists');
  },

  Rollout(o, h, podFailed) {
    // No status at all: nothing has reconciled it. Argo Rollouts may be restarting, so the deploy
    // waits (to its deadline), but says what it waits for: an absent controller never answers.
    if (o.status?.phase === undefined && o.status?.observedGeneration === undefined)
      return h(
        'in-progress',
        'no status yet: waiting for the Argo Rollouts controller (is it installed and running? kubectl get deploy -A -l app.kubernetes.io/name=argo-rollouts)',
      );
    const phase = o.status?.phase as string | undefined;
    const message = (o.status?.message as string | undefined) ?? '';
    if (phase === 'Healthy') return h('current', 'healthy');
    if (phase === 'Degraded') return h('failed', `degraded${message ? `: ${message}` : ''}`);
    // Blue-green with auto-promotion off pauses once the preview is up: that is the deploy's goal.
    if (phase === 'Paused')
      return h('current', `paused, waiting for promotion${message ? `: ${message}` : ''}`);
    return podFailed() ?? h('in-progress', `${phase ?? 'progressing'}${message ? `: ${message}` : ''}`);
  },
};

/** Everything else: current on existence, unless it carries kstatus's standard conditions. */
function generic(o: Live, h: Make): ObjectHealth {
  const stalled = cond(o, 'Stalled');
  if (stalled?.status === 'True')
    return h('failed', `stalled: ${stalled.message ?? stalled.reason ?? ''}`.trim());
  const reconciling = cond(o, 'Reconciling');
  if (reconciling?.status === 'True')
    return h('in-progress', `reconciling: ${reconciling.message ?? reconciling.reason ?? ''}`.trim());
  // Custom resources (operators) that report Ready: wait for it; built-ins without status are current.
  const ready = cond(o, 'Ready');
  if (ready && ready.status !== 'True' && (o.apiVersion ?? '').includes('.'))
    return h('in-progress', `not ready: ${ready.message ?? ready.reason ?? ''}`.trim());
  return h('current', 'exists');
}
