/**
 * Pre- and post-deploy hook Jobs (database migrations and the like). The renderer marks them with
 * the annotations `slipway.dev/hook` (pre-deploy | post-deploy) and `slipway.dev/hook-order`, names
 * each Job by its content (src/render/kubernetes/workload.ts) and gives it `backoffLimit` (retries)
 * and `activeDeadlineSeconds`.
 *
 * Jobs run one after another in hook order, each applied with server-side apply (field manager
 * `slipway`) and waited for; the first that fails stops the run with its reason and last log lines.
 * Jobs are immutable, so a Job of the same name that is already there is handled by its state:
 *   - same content (annotation `slipway.dev/job-hash`) and complete: already done, not run again —
 *     an unchanged deploy changes nothing;
 *   - same content and still running (a client killed mid-deploy): waited for;
 *   - failed, or different content: deleted (propagationPolicy Background), then created anew —
 *     a different Job still running is first waited for, never cut short.
 * Logs are streamed line by line by polling each Pod's log with timestamps, asking only for the
 * seconds since the last line seen. Nodes that serve no logs (kwok's) are reported once, not fatal.
 */
import { createHash } from 'node:crypto';
import type { KubernetesObject, V1Job, V1Pod } from '@kubernetes/client-node';
import { apiCode, describeApiError } from './_api-error.ts';
import { sleep } from './_sleep.ts';
import { type Cluster, serverSideApply } from './cluster.ts';
import { assessHealth } from './health.ts';
import { lastLogLines } from './wait.ts';

export const HOOK_ANNOTATION = 'slipway.dev/hook';
export const HOOK_ORDER_ANNOTATION = 'slipway.dev/hook-order';
export const JOB_HASH_ANNOTATION = 'slipway.dev/job-hash';

export type HookPhase = 'pre-deploy' | 'post-deploy';

export interface RunJobsOptions {
  /** For all the Jobs together. */
  deadlineSeconds: number;
  signal?: AbortSignal;
  onLog: (job: string, line: string) => void;
  /** Between polls (default 500 ms). */
  pollMs?: number;
}

export type RunJobsResult = { ok: true } | { ok: false; job: string; reason: string; logs: string[] };

/** The hook Jobs of one phase among rendered objects, in the order they run (pure). */
export function hookJobs(objects: readonly KubernetesObject[], phase: HookPhase): KubernetesObject[] {
  const order = (o: KubernetesObject) => Number(o.metadata?.annotations?.[HOOK_ORDER_ANNOTATION] ?? 0);
  return objects
    .filter((o) => o.kind === 'Job' && o.metadata?.annotations?.[HOOK_ANNOTATION] === phase)
    .sort((a, b) => order(a) - order(b) || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
}

/** The content hash stamped on an applied Job (pure). */
export function jobHash(job: KubernetesObject): string {
  const { spec } = job as V1Job;
  return createHash('sha256')
    .update(JSON.stringify(spec ?? {}))
    .digest('hex')
    .slice(0, 16);
}

/** Runs `jobs` in the order given (use hookJobs to pick and order them). */
export async function runJobs(
  cluster: Cluster,
  jobs: KubernetesObject[],
  o: RunJobsOptions,
): Promise<RunJobsResult> {
  const deadline = Date.now() + o.deadlineSeconds * 1000;
  for (const job of jobs) {
    const r = await runJob(cluster, job, deadline, o);
    if (!r.ok) return r;
  }
  return { ok: true };
}

async function runJob(
  cluster: Cluster,
  rendered: KubernetesObject,
  deadline: number,
  o: RunJobsOptions,
): Promise<RunJobsResult> {
  const name = rendered.metadata?.name as string;
  const namespace = rendered.metadata?.namespace as string;
  const hash = jobHash(rendered);
  const fail = (reason: string, logs: string[]): RunJobsResult => ({ ok: false, job: name, reason, logs });

  try {
    let live = await readJob(cluster, name, namespace);
    const same = live?.metadata?.annotations?.[JOB_HASH_ANNOTATION] === hash;
    if (live && !same && assessHealth(live).state === 'in-progress') {
      // Another version still runs (a killed client's): never cut a migration short; let it end.
      o.onLog(
        name,
        `(a different Job ${name} is still running: waiting for it to finish before replacing it)`,
      );
      live = await untilFinished(cluster, name, namespace, deadline, o.signal);
    }
    const state = live && assessHealth(live).state;
    if (live && same && state === 'current') return { ok: true };
    if (live && (!same || state === 'failed')) await deleteJob(cluster, name, namespace, deadline, o.signal);
    if (!live || !same || state === 'failed') {
      const body = {
        ...rendered,
        metadata: {
          ...rendered.metadata,
          annotations: { ...rendered.metadata?.annotations, [JOB_HASH_ANNOTATION]: hash },
        },
      };
      await serverSideApply(cluster, body, { force: true });
    }
  } catch (e) {
    if (e instanceof HookAbort) return fail(e.message, []);
    return fail(`could not start: ${describeApiError(e)}`, []);
  }

  const logs = new LogFollower(cluster, namespace, (line) => o.onLog(name, line));
  const pollMs = o.pollMs ?? 500;
  for (;;) {
    const job = await readJob(cluster, name, namespace);
    if (!job) return fail('the Job disappeared while running (deleted by someone else?)', logs.tail());
    const pods = await jobPods(cluster, name, namespace);
    await logs.poll(pods);
    const h = assessHealth(job, pods);
    if (h.state === 'current') return { ok: true };
    if (h.state === 'failed') {
      await logs.poll(pods); // the last lines written before the failure
      let tail = logs.tail();
      if (tail.length === 0 || logs.unavailable) {
        const pod = pods.find((p) => p.status?.phase === 'Failed') ?? pods[0];
        const container = pod?.spec?.containers[0]?.name;
        if (pod && container) tail = await lastLogLines(cluster, pod, container, false);
      }
      return fail(h.message, tail);
    }
    if (o.signal?.aborted) return fail('interrupted', logs.tail());
    if (Date.now() >= deadline)
      return fail(`did not finish in time (${h.message}); the deploy's deadline passed`, logs.tail());
    await sleep(Math.min(pollMs, Math.max(0, deadline - Date.now())), o.signal);
  }
}

class HookAbort extends Error {}

async function readJob(cluster: Cluster, name: string, namespace: string): Promise<V1Job | undefined> {
  try {
    return await cluster.batch.readNamespacedJob({ name, namespace });
  } catch (e) {
    if (apiCode(e) === 404) return undefined;
    throw e;
  }
}

async function jobPods(cluster: Cluster, name: string, namespace: string): Promise<V1Pod[]> {
  const l = await cluster.core.listNamespacedPod({
    namespace,
    labelSelector: `batch.kubernetes.io/job-name=${name}`,
  });
  return l.items.sort(
    (a, b) =>
      new Date(a.metadata?.creationTimestamp ?? 0).getTime() -
      new Date(b.metadata?.creationTimestamp ?? 0).getTime(),
  );
}

/** Waits until a running Job completes or fails (or is gone); the deadline and the signal still apply. */
async function untilFinished(
  cluster: Cluster,
  name: string,
  namespace: string,
  deadline: number,
  signal?: AbortSignal,
): Promise<V1Job | undefined> {
  for (;;) {
    const job = await readJob(cluster, name, namespace);
    if (!job || assessHealth(job).state !== 'in-progress') return job;
    if (signal?.aborted) throw new HookAbort('interrupted');
    if (Date.now() >= deadline)
      throw new HookAbort(`a different Job ${name} was still running at the deadline; it was left running`);
    await sleep(500, signal);
  }
}

/** Deletes a Job (its Pods go in the background) and waits until the name is free. */
async function deleteJob(
  cluster: Cluster,
  name: string,
  namespace: string,
  deadline: number,
  signal?: AbortSignal,
): Promise<void> {
  try {
    await cluster.batch.deleteNamespacedJob({ name, namespace, propagationPolicy: 'Background' });
  } catch (e) {
    if (apiCode(e) !== 404) throw e;
  }
  while (await readJob(cluster, name, namespace)) {
    if (signal?.aborted) throw new HookAbort('interrupted');
    if (Date.now() >= deadline) throw new HookAbort(`the previous Job ${name} was not deleted in time`);
    await sleep(200, signal);
  }
}

export interface LogMark {
  /** Timestamp of the last line emitted (RFC 3339, as `timestamps=true` writes it). */
  ts: string;
  /** How many lines with exactly that timestamp were emitted. */
  sameTs: number;
}

/**
 * The lines of a `timestamps=true` log read not emitted yet, given the mark of the previous read
 * (pure). Reads overlap (sinceSeconds is whole seconds), so lines at or before the mark are dropped;
 * lines sharing the mark's timestamp are counted so none is lost or repeated.
 */
export function newLogLines(text: string, seen?: LogMark): { lines: string[]; seen?: LogMark } {
  let { ts: lastTs, sameTs } = seen ?? { ts: '', sameTs: 0 };
  let atTs = 0;
  const lines: string[] = [];
  for (const raw of text.split('\n')) {
    if (raw === '') continue;
    const sp = raw.indexOf(' ');
    const ts = sp > 0 ? raw.slice(0, sp) : '';
    const line = sp > 0 ? raw.slice(sp + 1) : raw;
    if (ts < lastTs) continue;
    if (ts === lastTs) {
      atTs++;
      if (atTs <= sameTs) continue;
      sameTs = atTs;
    } else {
      lastTs = ts;
      sameTs = 1;
      atTs = 1;
    }
    lines.push(line);
  }
  return lastTs ? { lines, seen: { ts: lastTs, sameTs } } : { lines };
}

/** Follows the logs of a Job's Pods: new lines only, each once, oldest first. */
class LogFollower {
  readonly #last = new Map<string, LogMark>();
  readonly #tail: string[] = [];
  readonly #warned = new Set<string>();
  unavailable = false;

  private readonly cluster: Cluster;
  private readonly namespace: string;
  private readonly emit: (line: string) => void;

  constructor(cluster: Cluster, namespace: string, emit: (line: string) => void) {
    this.cluster = cluster;
    this.namespace = namespace;
    this.emit = emit;
  }

  tail(): string[] {
    return this.#tail.slice(-20);
  }

  async poll(pods: V1Pod[]): Promise<void> {
    for (const pod of pods) {
      const podName = pod.metadata?.name ?? '';
      for (const c of pod.status?.containerStatuses ?? []) {
        if (!c.state?.running && !c.state?.terminated) continue; // nothing written yet
        const key = `${podName}/${c.name}`;
        if (this.#warned.has(key)) continue;
        const seen = this.#last.get(key);
        let text: string;
        try {
          text = await this.cluster.core.readNamespacedPodLog({
            name: podName,
            namespace: this.namespace,
            container: c.name,
            timestamps: true,
            ...(seen
              ? { sinceSeconds: Math.max(1, Math.ceil((Date.now() - Date.parse(seen.ts)) / 1000) + 1) }
              : { tailLines: 1000 }),
          });
        } catch (e) {
          this.#warned.add(key);
          this.unavailable = true;
          this.emit(`(logs of ${key} unavailable: ${describeApiError(e).split('\n')[0]})`);
          continue;
        }
        const fresh = newLogLines(text, seen);
        for (const line of fresh.lines) {
          this.emit(line);
          this.#tail.push(line);
        }
        if (this.#tail.length > 200) this.#tail.splice(0, this.#tail.length - 100);
        if (fresh.seen) this.#last.set(key, fresh.seen);
      }
    }
  }
}
