/**
 * How big an environment is: each long-running component's replica range and resources, and the
 * totals at minimum and maximum scale. Numbers come from the Model (and, for pods Slipway adds
 * around it — Redis sentinels, the compose proxy — from the rendered objects).
 */
import type { Model, ServiceModel } from '../../model/types.ts';
import { runsInCompose } from '../compose/connections.ts';
import type { EnvContext } from './context.ts';
import { kubeName, objectsOfKind } from './context.ts';
import { cpuMilli, memMi, storageGi } from './format.ts';

export interface SizedComponent {
  name: string;
  /** What it is, in a few words (web, worker, postgres (ha), redis sentinels, proxy). */
  role: string;
  min: number;
  max: number;
  /** Why min and max differ (HPA, KEDA), or why they do not where one might expect it. */
  scaling?: string;
  requests: { cpu: number; memory: number };
  limits: { cpu: number; memory: number };
}

export interface Sizing {
  components: SizedComponent[];
  /** Jobs and cron jobs: they run to completion, so they add to the totals only while running. */
  transient: SizedComponent[];
  totals: {
    pods: { min: number; max: number };
    requests: { min: { cpu: number; memory: number }; max: { cpu: number; memory: number } };
    limits: { min: { cpu: number; memory: number }; max: { cpu: number; memory: number } };
  };
  /** Persistent storage requested, by claim. */
  storage: { name: string; size: number; what: string }[];
  storageTotal: number;
  /** Extra pods a blue-green deploy runs while both colours are up. */
  blueGreenPeak: number;
}

const res = (r: { cpu: string; memory: string }) => ({ cpu: cpuMilli(r.cpu), memory: memMi(r.memory) });

/** Replica range of a long-running service in this environment's target. */
export function replicaRange(model: Model, s: ServiceModel): { min: number; max: number; scaling?: string } {
  if (model.environment.target === 'compose') {
    const auto = s.autoscaling || s.queueScaling;
    return {
      min: s.replicas,
      max: s.replicas,
      ...(auto ? { scaling: 'fixed: compose does not autoscale' } : {}),
    };
  }
  const q = s.queueScaling;
  if (q) return { min: q.min, max: q.max, scaling: `KEDA on ${q.dependency} list ${q.list}` };
  const a = s.autoscaling;
  if (a) {
    const on = [a.cpu ? `CPU ${a.cpu}%` : '', a.memory ? `memory ${a.memory}%` : ''].filter(Boolean);
    return { min: a.min, max: a.max, scaling: `HPA on ${on.join(', ')}` };
  }
  return { min: s.replicas, max: s.replicas };
}

/** `3`, or `3–10`. */
export function rangeText(r: { min: number; max: number }): string {
  return r.min === r.max ? String(r.min) : `${r.min}–${r.max}`;
}

export function sizing(ctx: EnvContext): Sizing {
  const m = ctx.model;
  const compose = m.environment.target === 'compose';
  const components: SizedComponent[] = [];
  const transient: SizedComponent[] = [];
  for (const s of m.services) {
    const base = { name: s.name, requests: res(s.resources.requests), limits: res(s.resources.limits) };
    if (s.kind === 'job' || s.kind === 'cron') {
      transient.push({
        ...base,
        role:
          s.kind === 'cron' ? `cron (${s.schedule ?? ''})` : s.hook ? `job (${s.hook.phase} hook)` : 'job',
        min: 0,
        max: 1,
      });
      continue;
    }
    components.push({ ...base, role: s.kind, ...replicaRange(m, s) });
  }
  for (const d of m.dependencies) {
    const inside = compose ? runsInCompose(d) : d.mode === 'self-hosted' || d.mode === 'ha';
    if (!inside) continue;
    const n = compose || d.mode === 'self-hosted' ? 1 : d.instances;
    components.push({
      name: d.name,
      role: `${d.type} (${d.mode}${compose && d.mode === 'ha' ? ': one container on compose' : ''})`,
      min: n,
      max: n,
      requests: res(d.resources.requests),
      limits: res(d.resources.limits),
    });
  }
  // Pods Slipway renders around the model: Redis sentinels, the compose proxy.
  for (const rf of objectsOfKind(ctx, 'RedisFailover')) {
    const sentinel = (rf.spec as { sentinel?: { replicas?: number; resources?: Record<string, never> } })
      .sentinel;
    const r = sentinel?.resources as
      | { requests?: { cpu: string; memory: string }; limits?: { cpu: string; memory: string } }
      | undefined;
    if (!sentinel?.replicas || !r?.requests || !r.limits) continue;
    const dep = m.dependencies.find((d) => kubeName(ctx, d.name) === rf.metadata.name);
    components.push({
      name: `${dep?.name ?? rf.metadata.name} sentinels`,
      role: 'redis sentinel',
      min: sentinel.replicas,
      max: sentinel.replicas,
      requests: res(r.requests),
      limits: res(r.limits),
    });
  }
  const proxy = ctx.compose?.proxy ? ctx.compose.services[ctx.compose.proxy] : undefined;
  if (ctx.compose?.proxy && proxy) {
    const dr = proxy.deploy?.resources as
      | { limits?: { cpus?: string; memory?: string }; reservations?: { cpus?: string; memory?: string } }
      | undefined;
    components.push({
      name: ctx.compose.proxy,
      role: 'TLS proxy (Caddy)',
      min: 1,
      max: 1,
      requests: composeRes(dr?.reservations),
      limits: composeRes(dr?.limits),
    });
  }
  const sum = (pick: (c: SizedComponent) => number, a: 'min' | 'max') =>
    components.reduce((t, c) => t + c[a] * pick(c), 0);
  const at = (a: 'min' | 'max', what: 'requests' | 'limits') => ({
    cpu: round(sum((c) => c[what].cpu, a)),
    memory: round(sum((c) => c[what].memory, a)),
  });

  const storage: Sizing['storage'] = [];
  for (const s of m.services)
    for (const v of s.volumes)
      storage.push({
        name: `${s.name}/${v.name}`,
        size: storageGi(v.size),
        what: `${v.path} (${v.accessMode})`,
      });
  for (const d of m.dependencies) {
    const inside = compose ? runsInCompose(d) : d.mode === 'self-hosted' || d.mode === 'ha';
    if (!inside || (d.type === 'redis' && !d.persistence)) continue;
    const n = compose || d.mode === 'self-hosted' ? 1 : d.instances;
    storage.push({
      name: d.name,
      size: storageGi(d.storage) * n,
      what: `${d.type} data${n > 1 ? `, ${n} × ${d.storage}` : ''}${d.storageClass ? ` (${d.storageClass})` : ''}`,
    });
  }
  const backupClaim = objectsOfKind(ctx, 'PersistentVolumeClaim').find(
    (o) => o.metadata.labels?.['app.kubernetes.io/component'] === 'backup',
  );
  if (backupClaim)
    storage.push({
      name: backupClaim.metadata.name,
      size: storageGi(m.backup.destination.size),
      what: 'pg_dump backups',
    });

  const blueGreenPeak = compose
    ? 0
    : components
        .filter((c) => m.services.find((s) => s.name === c.name)?.rollout.strategy === 'blue-green')
        .reduce((t, c) => t + c.max, 0);

  return {
    components,
    transient,
    totals: {
      pods: {
        min: components.reduce((t, c) => t + c.min, 0),
        max: components.reduce((t, c) => t + c.max, 0),
      },
      requests: { min: at('min', 'requests'), max: at('max', 'requests') },
      limits: { min: at('min', 'limits'), max: at('max', 'limits') },
    },
    storage,
    storageTotal: round(storage.reduce((t, s) => t + s.size, 0)),
    blueGreenPeak,
  };
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/** Compose units (`0.5`, `256m`) back to millicores and MiB. */
function composeRes(r: { cpus?: string; memory?: string } | undefined): { cpu: number; memory: number } {
  const cpu = Math.round(Number(r?.cpus ?? 0) * 1000);
  const mm = /^(\d+(?:\.\d+)?)([kmgt]?)b?$/i.exec(r?.memory ?? '0');
  const factor: Record<string, number> = { '': 1 / 2 ** 20, k: 1 / 1024, m: 1, g: 1024, t: 1024 * 1024 };
  const memory = mm ? Number(mm[1]) * (factor[(mm[2] ?? '').toLowerCase()] ?? 0) : 0;
  return { cpu, memory: round(memory) };
}
