/**
 * One release, start to end: connect, check prerequisites, take the lock, recover a release a
 * killed client left `pending`, plan by server-side dry-run, record revision N as `pending`, run
 * pre-deploy hooks, apply what changes, wait for health, run post-deploy hooks, prune, mark N
 * `deployed`. When anything fails (or SIGINT/SIGTERM arrives) and the deploy is atomic, the last
 * deployed revision's objects are applied again and waited for, N is marked `failed`, and the
 * reason is printed with exit code 3.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { EngineError, UsageError } from '../../cli/errors.ts';
import { json } from '../../cli/output.ts';
import type { DeployOptions, DeployTarget } from '../driver.ts';
import { describeApiError } from './_api-error.ts';
import { applyChanges, type PlannedChange, planApply } from './apply.ts';
import {
  type ApplySetParent,
  apiVersionsOf,
  applySetParent,
  groupKind,
  listMembers,
  liveGroupKinds,
  parentObject,
  withMembership,
} from './applyset.ts';
import { completeBlueGreen, enforceScaleDowns, planBlueGreen, readBlueGreenLive } from './blue-green.ts';
import { type Cluster, connect, serverSideApply } from './cluster.ts';
import { hookPhase, renderDesired } from './desired.ts';
import { assessHealth } from './health.ts';
import { type HookPhase, hookJobs, runJobs } from './hooks.ts';
import { acquireLock, type DeployLock, defaultHolder, lockName } from './lease.ts';
import { checkPrerequisites } from './prerequisites.ts';
import { createProgress } from './progress.ts';
import { prune } from './prune.ts';
import { refKey, refLabel, refOf } from './refs.ts';
import { type ReleaseRecord, ReleaseStore } from './release-store.ts';
import { waitForHealth } from './wait.ts';

/** Annotation (owned by its own field manager, so applies never remove it) marking a namespace Slipway created. */
export const CREATED_NAMESPACE = 'slipway.dev/created-by';
const NAMESPACE_MANAGER = 'slipway-namespace';

/** Kinds whose health the deploy waits for. */
const WAITED = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'Rollout', 'PersistentVolumeClaim']);

/** Kinds applied before pre-deploy hooks run: what a migration Job may reference, no workload. */
const BEFORE_HOOKS = new Set([
  'Namespace',
  'ServiceAccount',
  'Secret',
  'SealedSecret',
  'ExternalSecret',
  'ConfigMap',
]);

export interface Session {
  target: DeployTarget;
  cluster: Cluster;
  app: string;
  env: string;
  namespace: string;
  store: ReleaseStore;
  parent: ApplySetParent;
  lock: DeployLock;
  /** Set when a revision left `pending` by a killed client was found and marked failed. */
  recovered: number[];
}

/** `user@host`, who deployed (the lock holder's name without its pid). */
export function who(): string {
  return defaultHolder().replace(/ \(pid \d+\)$/, '');
}

/** Connects and checks the cluster; creates the namespace when missing (remembering Slipway did). */
export async function connectChecked(
  target: DeployTarget,
  context: string | undefined,
  objects: readonly KubernetesObject[],
  o: { createNamespace: boolean } = { createNamespace: true },
): Promise<Cluster> {
  const ctx = context ?? target.model.environment.context;
  const cluster = connect(ctx ? { context: ctx } : {});
  const namespace = target.model.environment.namespace;
  const pre = await checkPrerequisites(cluster, objects, namespace);
  if (!pre.namespaceExists && !o.createNamespace)
    throw new UsageError(
      `namespace ${namespace} does not exist: ${target.model.app.name} was never deployed to ${target.env} here`,
      `check the context (${cluster.context}); slipway deploy creates it`,
    );
  if (!pre.namespaceExists) {
    try {
      await serverSideApply(
        cluster,
        {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: namespace, annotations: { [CREATED_NAMESPACE]: 'slipway' } },
        },
        { force: true, fieldManager: NAMESPACE_MANAGER },
      );
    } catch (e) {
      throw new EngineError(`could not create namespace ${namespace}`, describeApiError(e));
    }
    target.io.err(`created namespace ${namespace}\n`);
  }
  return cluster;
}

/** Takes the lock, runs `fn`, releases the lock (also when `fn` throws). */
export async function withSession(
  target: DeployTarget,
  cluster: Cluster,
  fn: (s: Session) => Promise<number>,
): Promise<number> {
  const app = target.model.app.name;
  const env = target.env;
  const namespace = target.model.environment.namespace;
  const lock = await acquireLock(cluster, { namespace, name: lockName(app, env), holder: defaultHolder() });
  try {
    const store = new ReleaseStore(cluster, { app, environment: env, namespace });
    if (lock.takenOver)
      target.io.err(
        `took over the deploy lock of ${lock.takenOver.holder} (last heartbeat ${lock.takenOver.renewedAt}: that client stopped)\n`,
      );
    const recovered = await recoverPending(store, target);
    return await fn({
      target,
      cluster,
      app,
      env,
      namespace,
      store,
      parent: applySetParent(app, env, namespace),
      lock,
      recovered,
    });
  } finally {
    // A lease left behind expires by itself: never let it replace the command's own result.
    await lock
      .release()
      .catch((e: Error & { detail?: string }) =>
        target.io.err(
          `warning: ${e.message}${e.detail ? ` (${e.detail})` : ''}; it expires by itself within its ttl\n`,
        ),
      );
  }
}

/**
 * A revision still `pending` while we hold the lock was left by a client that died mid-deploy (its
 * lease expired, so nobody is working on it): mark it failed. This deploy then converges the
 * cluster to its own objects, whatever the dead client had applied.
 */
export async function recoverPending(store: ReleaseStore, target: DeployTarget): Promise<number[]> {
  const out: number[] = [];
  for (const r of await store.list()) {
    if (r.status !== 'pending') continue;
    await store.setStatus(r.revision, 'failed', {
      finishedAt: new Date().toISOString(),
      description: `interrupted: the deploying client (${r.user}) stopped before finishing; recovered by the next deploy`,
    });
    target.io.err(`revision ${r.revision} was left pending by a client that stopped: marked failed\n`);
    out.push(r.revision);
  }
  return out;
}

export interface ReleaseInput {
  objects: KubernetesObject[];
  images: Record<string, string>;
  specHash: string;
  description: string;
  /** Run pre-/post-deploy hook Jobs (a rollback does not run old migrations again). */
  hooks: boolean;
  atomic: boolean;
  timeoutSeconds: number;
  forceConflicts: boolean;
}

export interface ReleaseOutcome {
  revision: number;
  status: 'deployed' | 'failed';
  created: string[];
  updated: string[];
  unchanged: number;
  pruned: string[];
  driftRestored: string[];
  reason?: string;
  rolledBackTo?: number;
}

const keyed = (objects: readonly KubernetesObject[]) => new Map(objects.map((o) => [refKey(refOf(o)), o]));
const notHook = (o: KubernetesObject) => !(o.kind === 'Job' && hookPhase(o));

/** Everything live in the set, over the kinds of `objects`, of the previous release, and of the parent. */
async function liveMembers(s: Session, ...sets: (readonly KubernetesObject[])[]) {
  const listed = new Set(await liveGroupKinds(s.cluster, s.parent));
  const gks = new Set([...listed, ...sets.flat().map(gkOf)]);
  return { listed, live: await listMembers(s.cluster, s.parent, gks, apiVersionsOf(...sets)) };
}
const gkOf = (o: KubernetesObject) =>
  groupKind({ apiVersion: o.apiVersion as string, kind: o.kind as string });

/**
 * Writes the ApplySet parent when the group-kinds it lists (`listed`, as read) are not `gks` (no
 * request otherwise). Before applying it lists old and new kinds, after pruning only the new ones,
 * so a client killed in between leaves a parent that still finds every member.
 */
async function updateParent(s: Session, listed: ReadonlySet<string>, gks: Iterable<string>): Promise<void> {
  const next = parentObject(s.parent, gks);
  const want = next.metadata?.annotations?.['applyset.kubernetes.io/contains-group-kinds'] ?? '';
  if (listed.size > 0 && [...listed].sort().join(',') === want) return;
  try {
    await serverSideApply(s.cluster, next, { force: true });
  } catch (e) {
    throw new EngineError(`could not write the ApplySet parent ${s.parent.name}`, describeApiError(e));
  }
}

async function waitFor(
  s: Session,
  objects: readonly KubernetesObject[],
  timeoutSeconds: number,
  signal: AbortSignal | undefined,
) {
  const refs = objects.filter((o) => WAITED.has(o.kind as string) && notHook(o)).map(refOf);
  const progress = createProgress(s.target.io);
  try {
    return await waitForHealth(s.cluster, refs, {
      deadlineSeconds: timeoutSeconds,
      ...(signal ? { signal } : {}),
      onUpdate: (all) => progress.update(all),
    });
  } finally {
    progress.done();
  }
}

/** A hook Job is named by its content: one unchanged and complete already ran for this content. */
function doneAlready(plan: readonly PlannedChange[], job: KubernetesObject): boolean {
  const c = plan.find((p) => p.key === refKey(refOf(job)));
  return c?.action === 'unchanged' && c.live !== undefined && assessHealth(c.live).state === 'current';
}

/** Applies a release's objects and drives it to `deployed` or, failing, back to the previous one. */
export async function runRelease(s: Session, input: ReleaseInput): Promise<ReleaseOutcome> {
  const { io } = s.target;
  const started = Date.now();
  const previous = await s.store.current();
  // Blue-green services: the new template goes to the idle colour, the live one is left as it runs.
  const { model } = s.target;
  await enforceScaleDowns(s.cluster, model);
  const blueGreen = planBlueGreen(model, input.objects, await readBlueGreenLive(s.cluster, model));
  const objects = withMembership(blueGreen.objects, s.parent);
  const { listed, live } = await liveMembers(s, objects, previous?.objects ?? []);
  const plan = await planApply(s.cluster, objects, live, {
    forceConflicts: input.forceConflicts,
    appliedBefore: keyed(previous?.objects ?? []),
  });
  const record = await s.store.create({
    app: s.app,
    environment: s.env,
    namespace: s.namespace,
    status: 'pending',
    specHash: input.specHash,
    images: input.images,
    user: who(),
    startedAt: new Date().toISOString(),
    description: input.description,
    objects,
  });
  const outcome: ReleaseOutcome = {
    revision: record.revision,
    status: 'failed',
    created: plan.filter((c) => c.action === 'create').map((c) => refLabel(c.ref)),
    updated: plan.filter((c) => c.action === 'update').map((c) => refLabel(c.ref)),
    unchanged: plan.filter((c) => c.action === 'unchanged').length,
    pruned: [],
    driftRestored: plan.filter((c) => c.drift.length > 0).map((c) => refLabel(c.ref)),
  };
  io.err(
    `revision ${record.revision}: ${outcome.created.length} to create, ${outcome.updated.length} to update, ${outcome.unchanged} unchanged\n`,
  );
  for (const c of plan.filter((p) => p.drift.length > 0))
    io.err(
      `  restoring drift on ${refLabel(c.ref)}: ${c.drift.map((d) => `${d.field} (changed by ${d.manager})`).join(', ')}\n`,
    );

  // Ctrl-C / SIGTERM: stop waiting and take the same road back as a failed release.
  const abort = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (abort.signal.aborted) process.exit(130);
    io.err(`\n${sig}: stopping the deploy and rolling back (again to quit at once)\n`);
    abort.abort(new Error(`interrupted by ${sig}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const interrupted = () =>
    abort.signal.aborted ? String((abort.signal.reason as Error).message) : undefined;
  const changed = (c: PlannedChange) => c.action !== 'unchanged';

  type Failure = { reason: string; diagnosis: string };
  // One phase's hook Jobs, skipping those already complete with the same content; a failure says why.
  const runHooks = async (phase: HookPhase, jobs: KubernetesObject[]): Promise<Failure | undefined> => {
    const toRun = jobs.filter((j) => !doneAlready(plan, j));
    if (toRun.length === 0) return undefined;
    io.err(`running ${toRun.length} ${phase} job(s): ${toRun.map((j) => j.metadata?.name).join(', ')}\n`);
    const r = await runJobs(s.cluster, toRun, {
      deadlineSeconds: input.timeoutSeconds,
      signal: abort.signal,
      onLog: (job, line) => io.err(`  [${job}] ${line}\n`),
    });
    if (r.ok) return undefined;
    return {
      reason: `${phase} job ${r.job} failed: ${r.reason}`,
      diagnosis: r.logs.length > 0 ? `last log lines of ${r.job}:\n${r.logs.join('\n')}` : '',
    };
  };

  let failure: Failure | undefined;
  try {
    try {
      const union = new Set([...listed, ...objects.map(gkOf)]);
      await updateParent(s, listed, union);
      const pre = input.hooks ? hookJobs(objects, 'pre-deploy') : [];
      const isHook = (c: PlannedChange) => c.desired.kind === 'Job' && hookPhase(c.desired) !== undefined;
      if (pre.length > 0) {
        await applyChanges(
          s.cluster,
          plan.filter((c) => BEFORE_HOOKS.has(c.ref.kind) && changed(c)),
        );
        failure = await runHooks('pre-deploy', pre);
      }
      if (!failure && !interrupted()) {
        await applyChanges(
          s.cluster,
          plan.filter((c) => changed(c) && !isHook(c) && !(pre.length > 0 && BEFORE_HOOKS.has(c.ref.kind))),
        );
        const health = await waitFor(s, objects, input.timeoutSeconds, abort.signal);
        if (!health.ok)
          failure = {
            reason:
              interrupted() ??
              (health.timedOut
                ? `not healthy within ${input.timeoutSeconds}s: ${health.health
                    .filter((h) => h.state !== 'current')
                    .map((h) => `${refLabel(h.ref)} ${h.message}`)
                    .join('; ')}`
                : `${health.failed.map((h) => `${refLabel(h.ref)}: ${h.message}`).join('; ')}`),
            diagnosis: health.diagnosis,
          };
      }
      const post = input.hooks ? hookJobs(objects, 'post-deploy') : [];
      if (!failure && !interrupted() && post.length > 0) {
        failure = await runHooks('post-deploy', post);
      }
      if (!failure && !interrupted() && blueGreen.switches.length > 0)
        await completeBlueGreen(s.cluster, blueGreen, { io, signal: abort.signal });
      if (!failure && interrupted()) failure = { reason: interrupted() as string, diagnosis: '' };
      // Another client took the lock (it expired under a stalled process): do not claim the release.
      if (!failure && s.lock.lost)
        failure = { reason: `lost the deploy lock (${s.lock.lost})`, diagnosis: '' };
      if (!failure) {
        outcome.pruned = (await prune(s.cluster, live, objects)).map(refLabel);
        await updateParent(s, union, objects.map(gkOf));
        await s.store.setStatus(record.revision, 'deployed', { finishedAt: new Date().toISOString() });
        outcome.status = 'deployed';
        io.err(`revision ${record.revision} deployed in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
        return outcome;
      }
    } catch (e) {
      const err = e as Error & { detail?: string };
      failure = { reason: interrupted() ?? describeApiError(err), diagnosis: err.detail ?? '' };
    }
    // The handlers stay through the road back: a first signal there changes nothing, a second quits.
    return await fail(s, record, previous, failure, input, outcome);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await pruneHistory(s, record.revision);
  }
}

/** Drops records beyond the history limit once this release is decided (best-effort: warns). */
async function pruneHistory(s: Session, keep: number): Promise<void> {
  const warning = await s.store.prune(keep).catch((e: Error) => e.message);
  if (warning) s.target.io.err(`warning: ${warning}\n`);
}

/** The failure road: back to the previous revision (atomic), mark this one failed, say why. */
async function fail(
  s: Session,
  record: ReleaseRecord,
  previous: ReleaseRecord | undefined,
  failure: { reason: string; diagnosis: string },
  input: ReleaseInput,
  outcome: ReleaseOutcome,
): Promise<ReleaseOutcome> {
  const { io } = s.target;
  outcome.reason = failure.reason;
  io.err(`revision ${record.revision} failed: ${failure.reason}\n`);
  if (failure.diagnosis) io.err(`${failure.diagnosis.replace(/\n?$/, '\n')}`);
  let description = `failed: ${failure.reason}`;
  if (input.atomic && previous) {
    io.err(`rolling back to revision ${previous.revision}\n`);
    try {
      const back = withMembership(previous.objects.filter(notHook), s.parent);
      const { live } = await liveMembers(s, back, record.objects);
      const plan = await planApply(s.cluster, back, live, {
        forceConflicts: true,
        appliedBefore: keyed(back),
      });
      await applyChanges(s.cluster, plan);
      // Objects only the failed revision had go; the previous revision's hook Jobs stay.
      await prune(s.cluster, live, withMembership(previous.objects, s.parent));
      const health = await waitFor(s, back, input.timeoutSeconds, undefined);
      description += health.ok
        ? `; rolled back to revision ${previous.revision}`
        : `; rolled back to revision ${previous.revision}, which is not healthy either`;
      outcome.rolledBackTo = previous.revision;
      io.err(
        health.ok
          ? `revision ${previous.revision} is serving again\n`
          : `revision ${previous.revision} was applied again but is not healthy: ${health.failed.map((h) => refLabel(h.ref)).join(', ')}\n`,
      );
    } catch (e) {
      description += `; rolling back to revision ${previous.revision} failed too: ${(e as Error).message}`;
      io.err(`rolling back failed: ${(e as Error).message}\n`);
    }
  } else if (input.atomic) {
    io.err('no earlier revision to roll back to: the objects stay as applied, for inspection\n');
  }
  await s.store.setStatus(record.revision, 'failed', { finishedAt: new Date().toISOString(), description });
  return outcome;
}

export function printOutcome(s: Session, o: ReleaseOutcome): number {
  const { io } = s.target;
  if (io.format === 'json') {
    io.out(
      json({
        environment: s.env,
        namespace: s.namespace,
        ...o,
        requests: s.cluster.requests,
      }),
    );
  } else if (o.status === 'deployed') {
    const parts = [
      `${o.created.length} created`,
      `${o.updated.length} updated`,
      `${o.unchanged} unchanged`,
      ...(o.pruned.length > 0 ? [`${o.pruned.length} pruned (${o.pruned.join(', ')})`] : []),
      ...(o.driftRestored.length > 0 ? [`drift restored on ${o.driftRestored.join(', ')}`] : []),
    ];
    io.out(`${s.app} ${s.env}: revision ${o.revision} deployed to ${s.namespace} — ${parts.join(', ')}\n`);
  } else {
    io.out(
      `${s.app} ${s.env}: revision ${o.revision} failed — ${o.reason}${o.rolledBackTo !== undefined ? `; revision ${o.rolledBackTo} is serving` : ''}\n`,
    );
  }
  return o.status === 'deployed' ? 0 : 3;
}

export async function deploy(target: DeployTarget, o: DeployOptions): Promise<number> {
  const desired = renderDesired(target, { imageTag: o.imageTag, registry: o.registry });
  const cluster = await connectChecked(target, o.context, desired.objects);
  return withSession(target, cluster, async (s) =>
    printOutcome(
      s,
      await runRelease(s, {
        objects: desired.objects,
        images: desired.images,
        specHash: desired.specHash,
        description: o.description ?? 'deploy',
        hooks: true,
        atomic: o.atomic,
        timeoutSeconds: o.timeoutSeconds,
        forceConflicts: o.forceConflicts,
      }),
    ),
  );
}
