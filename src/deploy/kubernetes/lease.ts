/**
 * The deploy lock: a coordination.k8s.io/v1 Lease per app and environment, held while a deploy runs.
 * Unlike Helm's `pending-*` status it cannot get stuck: the holder renews it every ttl/3 seconds, and
 * a lease whose holder stopped renewing (renewTime + leaseDurationSeconds in the past: the client was
 * killed) is taken over. Every write carries the resourceVersion read just before, so of two clients
 * racing for an expired lease exactly one wins; the other sees a live lease and is refused.
 * Expiry compares the holder's renewTime with this machine's clock: clocks skewed by more than the
 * ttl (30 s) could take a live lease over.
 */
import { hostname, userInfo } from 'node:os';
import type { V1Lease } from '@kubernetes/client-node';
import { EngineError } from '../../cli/errors.ts';
import { apiCode, describeApiError } from './_api-error.ts';
import type { Cluster } from './cluster.ts';

export class LockHeldError extends EngineError {
  readonly holder: string;
  readonly acquiredAt: string;
  readonly renewedAt: string;
  constructor(o: { name: string; namespace: string; holder: string; acquiredAt: string; renewedAt: string }) {
    super(
      `another deploy is in progress: ${o.holder} holds the lock since ${o.acquiredAt} (renewed ${o.renewedAt})`,
      `wait for it to finish; if that client is gone, its lock expires by itself ` +
        `(or remove it: kubectl delete lease ${o.name} -n ${o.namespace})`,
    );
    this.holder = o.holder;
    this.acquiredAt = o.acquiredAt;
    this.renewedAt = o.renewedAt;
  }
}

export interface DeployLock {
  holder: string;
  /** Set when an expired lease of a client that stopped renewing was taken over. */
  takenOver?: { holder: string; renewedAt: string };
  /** Set when a heartbeat found the lease changed or gone (someone took it or deleted it). */
  readonly lost: string | undefined;
  release(): Promise<void>;
}

/** `slipway-lock-<app>-<env>`, the Lease's name. */
export function lockName(app: string, environment: string): string {
  return `slipway-lock-${app}-${environment}`;
}

/** `user@host (pid N)`, who holds a lock. */
export function defaultHolder(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (containers): keep "unknown"
  }
  return `${user}@${hostname()} (pid ${process.pid})`;
}

/** Kubernetes MicroTime: RFC 3339 with exactly 6 fractional digits. */
export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** The client types MicroTime as Date but hands back the wire string; accept both. */
function time(t: unknown): Date | undefined {
  if (t === undefined || t === null) return undefined;
  const d = t instanceof Date ? t : new Date(String(t));
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Whether a lease is free to take (pure): nobody holds it, or the holder stopped renewing it. */
export function leaseExpired(lease: V1Lease, now: Date): boolean {
  const spec = lease.spec ?? {};
  if (!spec.holderIdentity) return true;
  const renewed = time(spec.renewTime) ?? time(spec.acquireTime);
  if (!renewed) return true;
  return renewed.getTime() + (spec.leaseDurationSeconds ?? 0) * 1000 < now.getTime();
}

export async function acquireLock(
  cluster: Cluster,
  o: { namespace: string; name: string; holder: string; ttlSeconds?: number },
): Promise<DeployLock> {
  const ttl = o.ttlSeconds ?? 30;
  const api = cluster.coordination;
  const body = (resourceVersion?: string): V1Lease => {
    const now = microTime(new Date()) as unknown as Date;
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: o.name, namespace: o.namespace, ...(resourceVersion ? { resourceVersion } : {}) },
      spec: { holderIdentity: o.holder, leaseDurationSeconds: ttl, acquireTime: now, renewTime: now },
    };
  };
  const fail = (what: string, e: unknown) =>
    new EngineError(`could not ${what} the deploy lock ${o.namespace}/${o.name}`, describeApiError(e));

  let takenOver: DeployLock['takenOver'];
  let resourceVersion: string | undefined;
  for (let attempt = 0; attempt < 3 && resourceVersion === undefined; attempt++) {
    let live: V1Lease | undefined;
    try {
      live = await api.readNamespacedLease({ name: o.name, namespace: o.namespace });
    } catch (e) {
      if (apiCode(e) !== 404) throw fail('read', e);
    }
    try {
      if (!live) {
        resourceVersion = (await api.createNamespacedLease({ namespace: o.namespace, body: body() })).metadata
          ?.resourceVersion;
      } else if (leaseExpired(live, new Date()) || live.spec?.holderIdentity === o.holder) {
        const written = await api.replaceNamespacedLease({
          name: o.name,
          namespace: o.namespace,
          body: body(live.metadata?.resourceVersion),
        });
        resourceVersion = written.metadata?.resourceVersion;
        const previous = live.spec?.holderIdentity;
        if (previous && previous !== o.holder)
          takenOver = { holder: previous, renewedAt: time(live.spec?.renewTime)?.toISOString() ?? 'never' };
      } else {
        throw new LockHeldError({
          name: o.name,
          namespace: o.namespace,
          holder: live.spec?.holderIdentity ?? 'unknown',
          acquiredAt: time(live.spec?.acquireTime)?.toISOString() ?? 'unknown',
          renewedAt: time(live.spec?.renewTime)?.toISOString() ?? 'unknown',
        });
      }
    } catch (e) {
      if (e instanceof LockHeldError) throw e;
      // 409: another client created or took it between our read and write: look again
      if (apiCode(e) !== 409) throw fail('take', e);
    }
  }
  if (resourceVersion === undefined) throw fail('take', new Error('the lease kept changing'));

  let lost: string | undefined;
  let stopped = false;
  let beating: Promise<void> = Promise.resolve();
  const beat = async () => {
    try {
      const live = await api.readNamespacedLease({ name: o.name, namespace: o.namespace });
      if (live.spec?.holderIdentity !== o.holder) {
        lost = `taken by ${live.spec?.holderIdentity ?? 'nobody'}`;
        return;
      }
      live.spec = { ...live.spec, renewTime: microTime(new Date()) as unknown as Date };
      await api.replaceNamespacedLease({ name: o.name, namespace: o.namespace, body: live });
    } catch (e) {
      if (apiCode(e) === 404) lost = 'the lease was deleted';
      // other errors (a blip of the API server): the next beat tries again, well within the ttl
    }
  };
  const timer = setInterval(
    () => {
      if (!stopped && lost === undefined) beating = beat();
    },
    Math.max(1, (ttl * 1000) / 3),
  );
  timer.unref(); // never keep the process alive for the heartbeat alone

  return {
    holder: o.holder,
    ...(takenOver ? { takenOver } : {}),
    get lost() {
      return lost;
    },
    async release() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      await beating;
      try {
        const live = await api.readNamespacedLease({ name: o.name, namespace: o.namespace });
        if (live.spec?.holderIdentity !== o.holder) return; // not ours any more: leave it alone
        await api.deleteNamespacedLease({
          name: o.name,
          namespace: o.namespace,
          body: { preconditions: { resourceVersion: live.metadata?.resourceVersion as string } },
        });
      } catch (e) {
        const code = apiCode(e);
        if (code !== 404 && code !== 409) throw fail('release', e);
      }
    },
  };
}
