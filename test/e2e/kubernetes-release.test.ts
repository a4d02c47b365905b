/**
 * The release half of the Kubernetes deploy against a real control plane (etcd + kube-apiserver +
 * controller-manager + scheduler + kwok): release records, the deploy lock, health waits with kwok
 * failure stages, hook Jobs and the blue-green switch. Run alone with
 * SLIPWAY_E2E_RUN_DIR=/tmp/slipway-kube-k2 so it never shares a control plane with another suite.
 */

import {
  type KubernetesObject,
  PatchStrategy,
  type V1Deployment,
  type V1Service,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, onTestFinished } from 'vitest';
import { UsageError } from '../../src/cli/errors.ts';
import type { Io } from '../../src/cli/output.ts';
import {
  abort,
  completeBlueGreen,
  enforceScaleDowns,
  planBlueGreen,
  promote,
  readBlueGreenLive,
} from '../../src/deploy/kubernetes/blue-green.ts';
import { type Cluster, connect, FIELD_MANAGER } from '../../src/deploy/kubernetes/cluster.ts';
import type { ObjectHealth } from '../../src/deploy/kubernetes/health.ts';
import { hookJobs, runJobs } from '../../src/deploy/kubernetes/hooks.ts';
import { acquireLock, LockHeldError, microTime } from '../../src/deploy/kubernetes/lease.ts';
import {
  type ReleaseRecord,
  ReleaseStore,
  releaseSecretName,
} from '../../src/deploy/kubernetes/release-store.ts';
import { waitForHealth } from '../../src/deploy/kubernetes/wait.ts';
import { renderBlueGreen } from '../deploy/kubernetes/_blue-green-spec.ts';
import { controlPlaneEngines, needs, withControlPlane } from './_engines.ts';
import { applyFailureStage, removeStage, servePodLogs } from './support/kwok-stages.ts';
import { crdFilePath, crdSourceOf } from './support/upstream.ts';

const gates = controlPlaneEngines();
const it = needs(...gates);
const kube = withControlPlane(gates);

let cluster: Cluster;
const namespaces: string[] = [];

/** A fresh namespace per test, deleted at the end. */
async function namespace(name: string): Promise<string> {
  const ns = `${name}-${Date.now().toString(36)}`;
  await cluster.core.createNamespace({ body: { metadata: { name: ns } } });
  namespaces.push(ns);
  return ns;
}

beforeAll(() => {
  if (gates.some((g) => !g.ok)) return;
  cluster = connect({ kubeconfig: kube.kubeconfig });
});
afterAll(async () => {
  for (const ns of namespaces) await cluster?.core.deleteNamespace({ name: ns }).catch(() => undefined);
});

const record = (ns: string, description: string): Omit<ReleaseRecord, 'revision'> => ({
  app: 'shop',
  environment: 'staging',
  namespace: ns,
  status: 'pending',
  specHash: 'sha256:abc',
  images: { web: 'registry.local/web:1' },
  user: 'tester@host',
  startedAt: new Date().toISOString(),
  description,
  objects: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web', namespace: ns } }],
});

describe('release store', () => {
  it('round-trips records through labelled Secrets and keeps a bounded history with the deployed one', async () => {
    const ns = await namespace('rel');
    const store = new ReleaseStore(cluster, { app: 'shop', environment: 'staging', namespace: ns, limit: 3 });
    const r1 = await store.create(record(ns, 'first'));
    expect(r1.revision).toBe(1);
    await store.setStatus(1, 'deployed', { finishedAt: new Date().toISOString() });
    // 2..5 fail: revision 1 stays the deployed one and must survive pruning (done, as the driver
    // does, once each release is decided)
    for (let i = 2; i <= 5; i++) {
      const r = await store.create(record(ns, `try ${i}`));
      expect(r.revision).toBe(i);
      await store.setStatus(i, 'failed');
      expect(await store.prune(i)).toBeUndefined();
    }
    const all = await store.list();
    expect(all.map((r) => r.revision)).toEqual([1, 4, 5]);
    expect(all.map((r) => r.status)).toEqual(['deployed', 'failed', 'failed']);
    expect((await store.current())?.revision).toBe(1);
    const back = await store.get(4);
    expect(back).toMatchObject({ description: 'try 4', images: { web: 'registry.local/web:1' } });
    expect(back?.objects[0]?.kind).toBe('ConfigMap');

    // the Secret is what the contract says: type, labels, gzip payload
    const s = await cluster.core.readNamespacedSecret({
      name: releaseSecretName('shop', 'staging', 4),
      namespace: ns,
    });
    expect(s.type).toBe('slipway.dev/release.v1');
    expect(s.metadata?.labels).toMatchObject({
      owner: 'slipway',
      'slipway.dev/app': 'shop',
      'slipway.dev/environment': 'staging',
      'slipway.dev/revision': '4',
      'slipway.dev/status': 'failed',
    });
    expect(Buffer.from(s.data?.release ?? '', 'base64').subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));

    // deploying 6 supersedes 1, which may then be pruned
    await store.create(record(ns, 'six'));
    await store.setStatus(6, 'deployed');
    expect((await store.current())?.revision).toBe(6);
    expect((await store.get(1))?.status).toBe('superseded');
    await store.prune(6);
    await store.create(record(ns, 'seven'));
    await store.prune(7);
    expect((await store.list()).map((r) => r.revision)).toEqual([5, 6, 7]);
  });

  it('gives two clients creating at the same time two different revisions', async () => {
    const ns = await namespace('relrace');
    const a = new ReleaseStore(cluster, { app: 'shop', environment: 'staging', namespace: ns });
    const b = new ReleaseStore(cluster, { app: 'shop', environment: 'staging', namespace: ns });
    const made = await Promise.all([
      a.create(record(ns, 'a')),
      b.create(record(ns, 'b')),
      a.create(record(ns, 'c')),
    ]);
    expect(made.map((r) => r.revision).sort()).toEqual([1, 2, 3]);
    const stored = await a.list();
    expect(new Set(stored.map((r) => r.description))).toEqual(new Set(['a', 'b', 'c']));
  });
});

describe('deploy lock', () => {
  it('refuses a second holder with who and when, and frees the lease on release', async () => {
    const ns = await namespace('lock');
    const results = await Promise.allSettled([
      acquireLock(cluster, { namespace: ns, name: 'slipway-lock-shop-staging', holder: 'alice@a (pid 1)' }),
      acquireLock(cluster, { namespace: ns, name: 'slipway-lock-shop-staging', holder: 'bob@b (pid 2)' }),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const err = (lost[0] as PromiseRejectedResult).reason;
    expect(err).toBeInstanceOf(LockHeldError);
    const winner = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireLock>>>).value;
    expect(err.holder).toBe(winner.holder);
    expect(err.message).toContain(winner.holder);
    expect(Date.parse(err.acquiredAt)).toBeGreaterThan(Date.now() - 60_000);

    await winner.release();
    const again = await acquireLock(cluster, {
      namespace: ns,
      name: 'slipway-lock-shop-staging',
      holder: 'carol',
    });
    expect(again.takenOver).toBeUndefined();
    await again.release();
  });

  it('renews the lease while held and takes over one whose holder stopped renewing', async () => {
    const ns = await namespace('lockttl');
    const name = 'slipway-lock-shop-staging';
    const held = await acquireLock(cluster, { namespace: ns, name, holder: 'alive', ttlSeconds: 3 });
    const first = await cluster.coordination.readNamespacedLease({ name, namespace: ns });
    await new Promise((r) => setTimeout(r, 2500));
    const later = await cluster.coordination.readNamespacedLease({ name, namespace: ns });
    expect(Date.parse(String(later.spec?.renewTime))).toBeGreaterThan(
      Date.parse(String(first.spec?.renewTime)),
    );
    await expect(acquireLock(cluster, { namespace: ns, name, holder: 'other' })).rejects.toBeInstanceOf(
      LockHeldError,
    );
    expect(held.lost).toBeUndefined();
    // someone deletes the lease by hand: the next heartbeat notices (the deploy then fails safe)
    await cluster.coordination.deleteNamespacedLease({ name, namespace: ns });
    await new Promise((r) => setTimeout(r, 1500));
    expect(held.lost).toBe('the lease was deleted');
    await held.release();

    // a client killed mid-deploy: its lease stays, with a renewTime that is too old
    const old = new Date(Date.now() - 120_000);
    await cluster.coordination.createNamespacedLease({
      namespace: ns,
      body: {
        metadata: { name, namespace: ns },
        spec: {
          holderIdentity: 'killed@ci (pid 9)',
          leaseDurationSeconds: 30,
          acquireTime: microTime(old) as unknown as Date,
          renewTime: microTime(old) as unknown as Date,
        },
      },
    });
    const taken = await acquireLock(cluster, { namespace: ns, name, holder: 'next' });
    expect(taken.takenOver).toEqual({ holder: 'killed@ci (pid 9)', renewedAt: old.toISOString() });
    const live = await cluster.coordination.readNamespacedLease({ name, namespace: ns });
    expect(live.spec?.holderIdentity).toBe('next');
    await taken.release();
  });
});

/** A plain Deployment whose Pods carry `fail=<label>` (what the kwok failure stages select on). */
function deploymentOf(
  ns: string,
  name: string,
  o: { replicas?: number; fail?: string; progressDeadlineSeconds?: number } = {},
): V1Deployment {
  const labels = { app: name, ...(o.fail ? { fail: o.fail } : {}) };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: {
      replicas: o.replicas ?? 2,
      ...(o.progressDeadlineSeconds ? { progressDeadlineSeconds: o.progressDeadlineSeconds } : {}),
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'app', image: `registry.local/${name}:1` }] },
      },
    },
  };
}
const depRef = (ns: string, name: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  namespace: ns,
  name,
});

describe('waiting for health', () => {
  it('sees a Deployment become available on kwok nodes, reporting progress', async () => {
    const ns = await namespace('wait');
    await cluster.apps.createNamespacedDeployment({
      namespace: ns,
      body: deploymentOf(ns, 'web', { replicas: 3 }),
    });
    const updates: ObjectHealth[][] = [];
    const started = Date.now();
    const r = await waitForHealth(
      cluster,
      [depRef(ns, 'web'), { apiVersion: 'v1', kind: 'Namespace', name: ns }],
      {
        deadlineSeconds: 60,
        onUpdate: (all) => updates.push(all),
      },
    );
    expect(r).toMatchObject({ ok: true, timedOut: false, failed: [], diagnosis: '' });
    expect(r.health[0]).toMatchObject({ state: 'current', message: '3/3 available' });
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(updates.at(-1)?.every((h) => h.state === 'current')).toBe(true);
  });

  const failureCases = [
    {
      mode: 'crash-loop' as const,
      reason: /container app: CrashLoopBackOff \(back-off .*\), last exit 1 Error/,
    },
    { mode: 'image-pull' as const, reason: /container app: ImagePullBackOff/ },
    { mode: 'config-error' as const, reason: /container app: CreateContainerConfigError/ },
  ];
  for (const { mode, reason } of failureCases)
    it(`fails a Deployment whose pods hit ${mode} at once, far before the deadline`, async () => {
      const ns = await namespace(`w-${mode}`);
      const stage = `k2-${mode}-${ns}`;
      await applyFailureStage(kube, { name: stage, mode, label: ['fail', ns] });
      // the crashed run printed 25 lines; the diagnosis shows its last 20
      const crashed = Array.from({ length: 25 }, (_, i) => `boot line ${i + 1}`);
      if (mode === 'crash-loop')
        onTestFinished(
          await servePodLogs(kube, { name: `k2-${ns}`, namespace: ns, lines: [], previous: crashed }),
        );
      try {
        await cluster.apps.createNamespacedDeployment({
          namespace: ns,
          body: deploymentOf(ns, 'web', { fail: ns }),
        });
        const started = Date.now();
        const r = await waitForHealth(cluster, [depRef(ns, 'web')], { deadlineSeconds: 120 });
        const elapsed = Date.now() - started;
        expect(r.ok).toBe(false);
        expect(r.timedOut).toBe(false);
        expect(elapsed).toBeLessThan(20_000); // the deadline is 120 s
        expect(r.failed).toHaveLength(1);
        expect(r.failed[0]?.message).toMatch(reason);
        // the first failing pod decides; the other may not have failed yet
        expect(r.failed[0]?.failingPods?.length).toBeGreaterThanOrEqual(1);
        expect(r.diagnosis).toMatch(/^Deployment\/web: failed: pod web-/);
        expect(r.diagnosis).toContain('  pods:');
        expect(r.diagnosis).toMatch(
          /web-[a-z0-9]+-[a-z0-9]+ +(Running|Pending) +0\/1 ready +app: waiting (CrashLoopBackOff|ImagePullBackOff|CreateContainerConfigError)/,
        );
        if (mode === 'crash-loop') {
          expect(r.diagnosis).toMatch(/logs web-[a-z0-9-]+\/app \(previous run\):\n {4}boot line 6\n/);
          expect(r.diagnosis).toContain('    boot line 25');
          expect(r.diagnosis).not.toContain('boot line 5\n');
        } else {
          // no log served for these: said, not hidden
          expect(r.diagnosis).toMatch(/logs web-[a-z0-9-]+\/app:\n {4}\(logs unavailable: HTTP 400/);
        }
      } finally {
        await removeStage(kube, stage);
      }
    });

  it('fails a Deployment stuck not-ready once its progress deadline passes, not at the wait deadline', async () => {
    const ns = await namespace('w-notready');
    const stage = `k2-never-ready-${ns}`;
    await applyFailureStage(kube, { name: stage, mode: 'never-ready', label: ['fail', ns] });
    try {
      await cluster.apps.createNamespacedDeployment({
        namespace: ns,
        body: deploymentOf(ns, 'web', { fail: ns, progressDeadlineSeconds: 3 }),
      });
      const started = Date.now();
      const r = await waitForHealth(cluster, [depRef(ns, 'web')], { deadlineSeconds: 120 });
      expect(r.ok).toBe(false);
      expect(r.timedOut).toBe(false);
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(r.failed[0]?.message).toMatch(
        /progress deadline exceeded: ReplicaSet "web-[a-z0-9]+" has timed out progressing/,
      );
      expect(r.diagnosis).toMatch(/app: running, not ready, restarts 0/);
    } finally {
      await removeStage(kube, stage);
    }
  });

  it('fails an object of a kind the server does not serve at once, saying so', async () => {
    const r = await waitForHealth(
      cluster,
      [{ apiVersion: 'example.com/v1', kind: 'Widget', namespace: 'default', name: 'w' }],
      {
        deadlineSeconds: 60,
      },
    );
    expect(r).toMatchObject({ ok: false, timedOut: false });
    expect(r.failed[0]?.message).toMatch(/^could not read it: .*example\.com\/v1.*Widget/);
  });

  it('times out at the deadline when pods stay not ready, and stops when aborted', async () => {
    const ns = await namespace('w-timeout');
    const stage = `k2-never-ready-${ns}`;
    await applyFailureStage(kube, { name: stage, mode: 'never-ready', label: ['fail', ns] });
    try {
      await cluster.apps.createNamespacedDeployment({
        namespace: ns,
        body: deploymentOf(ns, 'web', { fail: ns }),
      });
      let started = Date.now();
      const r = await waitForHealth(cluster, [depRef(ns, 'web')], { deadlineSeconds: 4 });
      const elapsed = Date.now() - started;
      expect(r).toMatchObject({ ok: false, timedOut: true, aborted: false });
      expect(elapsed).toBeGreaterThanOrEqual(4000);
      expect(elapsed).toBeLessThan(8000);
      expect(r.failed[0]).toMatchObject({ state: 'in-progress', message: '0/2 available' });

      const ac = new AbortController();
      setTimeout(() => ac.abort(), 1000);
      started = Date.now();
      const a = await waitForHealth(cluster, [depRef(ns, 'web')], { deadlineSeconds: 60, signal: ac.signal });
      expect(a).toMatchObject({ ok: false, timedOut: false, aborted: true });
      expect(Date.now() - started).toBeLessThan(4000);
    } finally {
      await removeStage(kube, stage);
    }
  });
});

/** A hook Job as the renderer writes it (annotations, backoffLimit, restartPolicy Never). */
function hookJob(ns: string, name: string, o: { order?: number; fail?: string; image?: string } = {}) {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: ns,
      annotations: { 'slipway.dev/hook': 'pre-deploy', 'slipway.dev/hook-order': String(o.order ?? 0) },
    },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: 600,
      template: {
        metadata: { labels: { app: name, ...(o.fail ? { fail: o.fail } : {}) } },
        spec: {
          restartPolicy: 'Never',
          containers: [{ name: 'migrate', image: o.image ?? 'registry.local/migrate:1' }],
        },
      },
    },
  };
}

describe('hook jobs', () => {
  it('runs hooks in order, streams their logs line by line, and does not re-run a completed identical Job', async () => {
    const ns = await namespace('hooks');
    const migration = ['migrating 001_init', 'migrating 002_users', 'migrations done'];
    const stopLogs = await servePodLogs(kube, { name: `k2-${ns}`, namespace: ns, lines: migration });
    const jobs = hookJobs(
      [
        hookJob(ns, 'second', { order: 2 }),
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: ns } },
        hookJob(ns, 'first', { order: 1 }),
      ],
      'pre-deploy',
    );
    expect(jobs.map((j) => j.metadata?.name)).toEqual(['first', 'second']);
    const logs: [string, string][] = [];
    const started = Date.now();
    const r = await runJobs(cluster, jobs, {
      deadlineSeconds: 60,
      onLog: (job, line) => logs.push([job, line]),
    });
    expect(r).toEqual({ ok: true });
    expect(Date.now() - started).toBeLessThan(30_000);
    const first = await cluster.batch.readNamespacedJob({ name: 'first', namespace: ns });
    const second = await cluster.batch.readNamespacedJob({ name: 'second', namespace: ns });
    expect(first.status?.succeeded).toBe(1);
    expect(new Date(first.status?.completionTime ?? 0).getTime()).toBeLessThanOrEqual(
      new Date(second.status?.startTime ?? 0).getTime(),
    );
    expect(
      first.metadata?.managedFields?.some((f) => f.manager === 'slipway' && f.operation === 'Apply'),
    ).toBe(true);
    // every line once, in order, one Job after the other (through the API server's pods/log)
    expect(logs).toEqual([...migration.map((l) => ['first', l]), ...migration.map((l) => ['second', l])]);

    // the same Jobs again: already complete, nothing is created
    const again = await runJobs(cluster, jobs, { deadlineSeconds: 60, onLog: () => {} });
    expect(again).toEqual({ ok: true });
    const firstAgain = await cluster.batch.readNamespacedJob({ name: 'first', namespace: ns });
    expect(firstAgain.metadata?.uid).toBe(first.metadata?.uid);

    // same name, other content (a Job's spec is immutable): the old Job is replaced. This time the
    // node serves no log: said once, not fatal.
    await stopLogs();
    const changed = hookJob(ns, 'first', { order: 1, image: 'registry.local/migrate:2' });
    const noLogs: string[] = [];
    expect(
      await runJobs(cluster, [changed], { deadlineSeconds: 60, onLog: (_, l) => noLogs.push(l) }),
    ).toEqual({
      ok: true,
    });
    expect(noLogs).toHaveLength(1);
    expect(noLogs[0]).toMatch(/^\(logs of first-[a-z0-9]+\/migrate unavailable: HTTP 400/);
    const replaced = await cluster.batch.readNamespacedJob({ name: 'first', namespace: ns });
    expect(replaced.metadata?.uid).not.toBe(first.metadata?.uid);
    expect(replaced.spec?.template.spec?.containers[0]?.image).toBe('registry.local/migrate:2');
  });

  it('never cuts short a different Job of the same name that is still running', async () => {
    const ns = await namespace('hookbusy');
    const stage = `k2-never-start-${ns}`;
    await applyFailureStage(kube, { name: stage, mode: 'never-start', label: ['fail', ns] });
    try {
      // an earlier deploy's migration, still running (its pod never starts here)
      const earlier = hookJob(ns, 'migrate', { fail: ns, image: 'registry.local/migrate:1' });
      await cluster.objects.patch(
        earlier,
        undefined,
        undefined,
        FIELD_MANAGER,
        true,
        PatchStrategy.ServerSideApply,
      );
      const before = await cluster.batch.readNamespacedJob({ name: 'migrate', namespace: ns });
      const lines: string[] = [];
      const started = Date.now();
      const r = await runJobs(cluster, [hookJob(ns, 'migrate', { image: 'registry.local/migrate:2' })], {
        deadlineSeconds: 3,
        onLog: (_, l) => lines.push(l),
      });
      expect(Date.now() - started).toBeGreaterThanOrEqual(3000);
      expect(r).toMatchObject({ ok: false, job: 'migrate' });
      if (!r.ok)
        expect(r.reason).toMatch(
          /a different Job migrate was still running at the deadline; it was left running/,
        );
      expect(lines[0]).toMatch(/still running: waiting for it to finish before replacing it/);
      const after = await cluster.batch.readNamespacedJob({ name: 'migrate', namespace: ns });
      expect(after.metadata?.uid).toBe(before.metadata?.uid);
      expect(after.status?.active).toBe(1);
    } finally {
      await removeStage(kube, stage);
    }
  });

  it('stops at the first failing hook with its reason, far before the deadline', async () => {
    const ns = await namespace('hookfail');
    const stage = `k2-job-fail-${ns}`;
    await applyFailureStage(kube, { name: stage, mode: 'job-fail', label: ['fail', ns] });
    try {
      const stopLogs = await servePodLogs(kube, {
        name: `k2-${ns}`,
        namespace: ns,
        lines: ['applying 003_orders', 'ERROR: relation "orders" already exists'],
      });
      onTestFinished(stopLogs);
      const jobs = [hookJob(ns, 'migrate', { order: 1, fail: ns }), hookJob(ns, 'after', { order: 2 })];
      const started = Date.now();
      const r = await runJobs(cluster, jobs, { deadlineSeconds: 120, onLog: () => {} });
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.job).toBe('migrate');
      expect(r.reason).toMatch(/job failed: BackoffLimitExceeded/);
      expect(r.logs).toEqual(['applying 003_orders', 'ERROR: relation "orders" already exists']);
      // the next hook never ran
      await expect(cluster.batch.readNamespacedJob({ name: 'after', namespace: ns })).rejects.toMatchObject({
        code: 404,
      });

      // a retry re-creates the failed Job (and fails again, the stage still applies)
      const failed = await cluster.batch.readNamespacedJob({ name: 'migrate', namespace: ns });
      const retry = await runJobs(cluster, jobs.slice(0, 1), { deadlineSeconds: 60, onLog: () => {} });
      expect(retry.ok).toBe(false);
      const recreated = await cluster.batch.readNamespacedJob({ name: 'migrate', namespace: ns });
      expect(recreated.metadata?.uid).not.toBe(failed.metadata?.uid);
    } finally {
      await removeStage(kube, stage);
    }
  });
});

// ---------------------------------------------------------------------------------------------------------
// Scenario 7: blue-green on plain Deployments

/** Server-side apply of every object, in order (the deploy's apply.ts does more; this is enough here). */
async function applyAll(objects: KubernetesObject[]): Promise<void> {
  for (const o of objects)
    await cluster.objects.patch(o, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
}

function captureIo(): Io & { text: () => string } {
  const buf: string[] = [];
  return {
    out: (s) => buf.push(s),
    err: (s) => buf.push(s),
    color: false,
    format: 'text',
    text: () => buf.join(''),
  };
}

/** One deploy of the blue-green spec: plan against the live state, apply, wait for the new colour, complete. */
async function deployBlueGreen(
  ns: string,
  image: string,
  autoPromote: boolean,
  o: { graceSeconds?: number; maxWaitSeconds?: number } = {},
) {
  const { model, objects } = renderBlueGreen({ namespace: ns, image, autoPromote });
  const plan = planBlueGreen(model, objects, await readBlueGreenLive(cluster, model));
  await applyAll(plan.objects);
  const waitOn =
    plan.switches.length > 0 ? plan.switches.map((s) => s.newDeployment) : [depRef(ns, 'shop-web-blue')];
  const health = await waitForHealth(cluster, waitOn, { deadlineSeconds: 60 });
  expect(health.ok, health.diagnosis).toBe(true);
  const io = captureIo();
  await completeBlueGreen(cluster, plan, { io, ...o });
  return { model, plan, io };
}

const readDep = (ns: string, name: string) => cluster.apps.readNamespacedDeployment({ name, namespace: ns });
const readSvc = (ns: string, name: string) =>
  cluster.core.readNamespacedService({ name, namespace: ns }) as Promise<V1Service>;
const image = (d: V1Deployment) => d.spec?.template.spec?.containers[0]?.image;

describe('blue-green (scenario 7)', () => {
  it('deploys the new colour beside the old; promote switches the selector, keeps the old for its grace, then scales it down', async () => {
    const ns = await namespace('bg');
    await deployBlueGreen(ns, 'registry.local/web:1', false);
    expect((await readSvc(ns, 'shop-web')).spec?.selector?.['slipway.dev/color']).toBe('blue');
    const blueBefore = await readDep(ns, 'shop-web-blue');
    expect(blueBefore.status?.availableReplicas).toBe(2);

    // v2 goes to green; traffic stays on blue until promoted
    const { plan, io, model } = await deployBlueGreen(ns, 'registry.local/web:2', false);
    expect(plan.switches.map((s) => [s.from, s.to])).toEqual([['blue', 'green']]);
    expect(io.text()).toMatch(
      /green is ready on Service shop-web-preview; traffic stays on blue until `slipway promote`/,
    );
    const green = await readDep(ns, 'shop-web-green');
    expect(image(green)).toBe('registry.local/web:2');
    expect(green.status?.availableReplicas).toBe(2);
    const blueAfter = await readDep(ns, 'shop-web-blue');
    expect(image(blueAfter)).toBe('registry.local/web:1');
    expect(blueAfter.metadata?.generation).toBe(blueBefore.metadata?.generation); // untouched
    let active = await readSvc(ns, 'shop-web');
    expect(active.spec?.selector?.['slipway.dev/color']).toBe('blue');
    expect(active.metadata?.annotations?.['slipway.dev/pending-color']).toBe('green');
    expect((await readSvc(ns, 'shop-web-preview')).spec?.selector?.['slipway.dev/color']).toBe('green');

    // promote: switch now; a grace longer than we wait is recorded, and enforced by the next command
    const pio = captureIo();
    expect(await promote(cluster, model, { io: pio, maxWaitSeconds: 0 })).toBe(0);
    expect(pio.text()).toMatch(/promoted web \(blue → green\)/);
    expect(pio.text()).toMatch(
      /shop-web-blue keeps running until .*the next slipway deploy, status, promote or abort scales it down/,
    );
    active = await readSvc(ns, 'shop-web');
    expect(active.spec?.selector?.['slipway.dev/color']).toBe('green');
    expect(active.metadata?.annotations?.['slipway.dev/pending-color']).toBeUndefined();
    const mark = active.metadata?.annotations?.['slipway.dev/scale-down'] ?? '';
    expect(mark).toMatch(/^blue@/);
    const graceEnds = Date.parse(mark.slice('blue@'.length));
    expect(graceEnds - Date.now()).toBeGreaterThan(25_000); // scaleDownDelay: 30s
    expect((await readDep(ns, 'shop-web-blue')).spec?.replicas).toBe(2);
    expect(await enforceScaleDowns(cluster, model)).toBe(0); // still in its grace period
    expect(await enforceScaleDowns(cluster, model, { now: new Date(graceEnds + 1000) })).toBe(1);
    expect((await readDep(ns, 'shop-web-blue')).spec?.replicas).toBe(0);
    expect((await readSvc(ns, 'shop-web')).metadata?.annotations?.['slipway.dev/scale-down']).toBeUndefined();

    // nothing pending any more
    await expect(promote(cluster, model, { io: captureIo() })).rejects.toBeInstanceOf(UsageError);
  });

  it('abort drops the waiting colour, or switches back within the grace period; the old colour keeps serving', async () => {
    const ns = await namespace('bgabort');
    await deployBlueGreen(ns, 'registry.local/web:1', false);
    const { model } = await deployBlueGreen(ns, 'registry.local/web:2', false);
    const aio = captureIo();
    expect(await abort(cluster, model, { io: aio })).toBe(0);
    expect(aio.text()).toMatch(/aborted web \(green scaled to 0, blue keeps serving\)/);
    const active = await readSvc(ns, 'shop-web');
    expect(active.spec?.selector?.['slipway.dev/color']).toBe('blue');
    expect(active.metadata?.annotations?.['slipway.dev/pending-color']).toBeUndefined();
    expect((await readDep(ns, 'shop-web-green')).spec?.replicas).toBe(0);
    const blue = await readDep(ns, 'shop-web-blue');
    expect(blue.spec?.replicas).toBe(2);
    expect(image(blue)).toBe('registry.local/web:1');
    await expect(abort(cluster, model, { io: captureIo() })).rejects.toBeInstanceOf(UsageError);

    // the next deploy takes the idle colour again
    const again = await deployBlueGreen(ns, 'registry.local/web:3', false);
    expect(again.plan.switches.map((s) => [s.from, s.to])).toEqual([['blue', 'green']]);
    expect(image(await readDep(ns, 'shop-web-green'))).toBe('registry.local/web:3');

    // promoted, then aborted within the grace period: traffic goes back to blue, still running
    await promote(cluster, again.model, { io: captureIo(), maxWaitSeconds: 0 });
    expect((await readSvc(ns, 'shop-web')).spec?.selector?.['slipway.dev/color']).toBe('green');
    const back = captureIo();
    expect(await abort(cluster, again.model, { io: back })).toBe(0);
    expect(back.text()).toMatch(/aborted web \(green scaled to 0, blue keeps serving\)/);
    const reverted = await readSvc(ns, 'shop-web');
    expect(reverted.spec?.selector?.['slipway.dev/color']).toBe('blue');
    expect(reverted.metadata?.annotations?.['slipway.dev/scale-down']).toBeUndefined();
    expect((await readDep(ns, 'shop-web-green')).spec?.replicas).toBe(0);
    expect((await readDep(ns, 'shop-web-blue')).status?.availableReplicas).toBe(2);
  });

  it('auto-promotion switches once the preview has ready endpoints, then scales the old colour down after the grace', async () => {
    const ns = await namespace('bgauto');
    await deployBlueGreen(ns, 'registry.local/web:1', true);
    const started = Date.now();
    const { io } = await deployBlueGreen(ns, 'registry.local/web:2', true, { graceSeconds: 2 });
    expect(io.text()).toMatch(/traffic switched from blue to green/);
    expect(io.text()).toMatch(/keeping shop-web-blue for 2s/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    const active = await readSvc(ns, 'shop-web');
    expect(active.spec?.selector?.['slipway.dev/color']).toBe('green');
    expect(active.metadata?.annotations?.['slipway.dev/scale-down']).toBeUndefined();
    expect((await readDep(ns, 'shop-web-blue')).spec?.replicas).toBe(0);
    expect((await readDep(ns, 'shop-web-green')).status?.availableReplicas).toBe(2);
    // an unchanged deploy switches nothing
    const same = await deployBlueGreen(ns, 'registry.local/web:2', true);
    expect(same.plan.switches).toEqual([]);
  });
});

describe('blue-green with Argo Rollouts (the upstream Rollout CRD, no controller)', () => {
  it('promote and abort send what kubectl argo rollouts sends', async () => {
    const source = crdSourceOf('argoproj.io/v1alpha1/Rollout');
    expect(source).toBeDefined();
    const crd = await kube.kubectlRun([
      'apply',
      '--server-side',
      '-f',
      crdFilePath(source as NonNullable<typeof source>),
    ]);
    expect(crd.code, crd.stderr).toBe(0);
    // right after creation the CRD has no conditions yet and `kubectl wait` errors: poll instead
    let established = '';
    for (let i = 0; i < 60 && established !== 'True'; i++) {
      const r = await kube.kubectlRun([
        'get',
        'crd',
        'rollouts.argoproj.io',
        '-o',
        'jsonpath={.status.conditions[?(@.type=="Established")].status}',
      ]);
      established = r.stdout.trim();
      if (established !== 'True') await new Promise((res) => setTimeout(res, 250));
    }
    expect(established).toBe('True');

    const ns = await namespace('argo');
    const { model, objects } = renderBlueGreen({
      namespace: ns,
      image: 'registry.local/web:2',
      autoPromote: false,
      argo: true,
    });
    const rollout = objects.find((o) => o.kind === 'Rollout') as KubernetesObject;
    await applyAll([
      { ...rollout, spec: { ...(rollout as { spec: object }).spec, paused: true } } as KubernetesObject,
    ]);
    // what the controller writes when a blue-green rollout waits for promotion
    const paused = await kube.kubectlRun([
      'patch',
      'rollout',
      'shop-web',
      '-n',
      ns,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({
        status: {
          phase: 'Paused',
          pauseConditions: [{ reason: 'BlueGreenPause', startTime: '2026-01-01T00:00:00Z' }],
        },
      }),
    ]);
    expect(paused.code, paused.stderr).toBe(0);

    const io = captureIo();
    expect(await promote(cluster, model, { io })).toBe(0);
    expect(io.text()).toBe("rollout 'shop-web' promoted\n");
    const get = async () =>
      JSON.parse((await kube.kubectlRun(['get', 'rollout', 'shop-web', '-n', ns, '-o', 'json'])).stdout);
    let ro = await get();
    expect(ro.spec.paused).toBe(false);
    expect(ro.status.pauseConditions).toBeUndefined();
    // not paused any more: nothing to promote
    await expect(promote(cluster, model, { io: captureIo() })).rejects.toBeInstanceOf(UsageError);

    expect(await abort(cluster, model, { io: captureIo() })).toBe(0);
    ro = await get();
    expect(ro.status.abort).toBe(true);
  });
});
