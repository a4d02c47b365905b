/**
 * The release half of the Kubernetes deploy against a real control plane (etcd + kube-apiserver +
 * controller-manager + scheduler + kwok): release records, the deploy lock, health waits with kwok
 * failure stages, hook Jobs and the blue-green switch. Run alone with
 * SLIPWAY_E2E_RUN_DIR=/tmp/slipway-kube-k2 so it never shares a control plane with another suite.
 */
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { type Cluster, connect } from '../../src/deploy/kubernetes/cluster.ts';
import { acquireLock, LockHeldError, microTime } from '../../src/deploy/kubernetes/lease.ts';
import {
  type ReleaseRecord,
  ReleaseStore,
  releaseSecretName,
} from '../../src/deploy/kubernetes/release-store.ts';
import { controlPlaneEngines, needs, withControlPlane } from './_engines.ts';

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
    // 2..5 fail: revision 1 stays the deployed one and must survive pruning
    for (let i = 2; i <= 5; i++) {
      const r = await store.create(record(ns, `try ${i}`));
      expect(r.revision).toBe(i);
      await store.setStatus(i, 'failed');
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
    await store.create(record(ns, 'seven'));
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
