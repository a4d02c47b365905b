/**
 * How a rollout treats each compose service, decided once from the model and the rendered file
 * and stored with the release (a rollback replays an old release without its old spec):
 *
 *   dependency  PostgreSQL, Redis: recreated when changed (the data stays on its volume)
 *   app         the app's long-running services: recreated when changed, or — when the proxy
 *               routes to them — started beside the old containers and switched to (zero downtime)
 *   hook        pre-/post-deploy jobs: run to completion before/after the rollout
 *   proxy       the TLS proxy: last, after every routed service is up
 *   cron, job   never started by a deploy: cron jobs (compose profile "cron") from the host's
 *               crontab, plain jobs (no hook) when someone runs them (docker compose run --rm)
 */
import type { Model } from '../../model/types.ts';
import { hasProxy, proxyName } from '../../render/compose/proxy.ts';

export type Role = 'dependency' | 'app' | 'hook' | 'proxy' | 'cron' | 'job';

export interface PlannedService {
  name: string;
  role: Role;
  replicas: number;
  /** The proxy routes to it: rolled out beside the old containers and switched to. */
  proxied: boolean;
  /** Compose's depends_on: what must run first. */
  dependsOn: string[];
  graceSeconds: number;
  hook?: { phase: 'pre-deploy' | 'post-deploy'; order: number; deadlineSeconds: number; retries: number };
}

export interface RolloutPlan {
  /** In start order: every service after what it depends on, the proxy last. */
  services: PlannedService[];
  proxy?: string;
}

type ComposeService = {
  depends_on?: Record<string, unknown>;
  deploy?: { replicas?: number };
  stop_grace_period?: string;
  profiles?: string[];
};

export function rolloutPlan(model: Model, compose: { services: Record<string, unknown> }): RolloutPlan {
  const routed = new Set((model.ingress?.routes ?? []).map((r) => r.service));
  const byName = new Map(model.services.map((s) => [s.name, s]));
  const deps = new Set(model.dependencies.map((d) => d.name));
  const proxy = hasProxy(model) ? proxyName(model) : undefined;
  const planned = Object.entries(compose.services).map(([name, raw]): PlannedService => {
    const svc = raw as ComposeService;
    const m = byName.get(name);
    const role: Role =
      name === proxy
        ? 'proxy'
        : deps.has(name)
          ? 'dependency'
          : m?.kind === 'cron' || (svc.profiles?.length ?? 0) > 0
            ? 'cron'
            : m?.hook
              ? 'hook'
              : m?.kind === 'job'
                ? 'job'
                : 'app';
    return {
      name,
      role,
      replicas: svc.deploy?.replicas ?? 1,
      proxied: role === 'app' && proxy !== undefined && routed.has(name),
      dependsOn: Object.keys(svc.depends_on ?? {}).sort(),
      graceSeconds: seconds(svc.stop_grace_period) ?? 10,
      ...(m?.hook ? { hook: { ...m.hook } } : {}),
    };
  });
  return { services: startOrder(planned), ...(proxy ? { proxy } : {}) };
}

/** Topological order by depends_on (ties by name), the proxy last. */
export function startOrder(services: readonly PlannedService[]): PlannedService[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const done = new Set<string>();
  const out: PlannedService[] = [];
  const visit = (s: PlannedService, path: Set<string>) => {
    if (done.has(s.name) || path.has(s.name)) return;
    path.add(s.name);
    for (const d of s.dependsOn) {
      const dep = byName.get(d);
      if (dep) visit(dep, path);
    }
    done.add(s.name);
    out.push(s);
  };
  const sorted = [...services].sort((a, b) =>
    a.role === 'proxy' ? 1 : b.role === 'proxy' ? -1 : a.name < b.name ? -1 : 1,
  );
  for (const s of sorted) visit(s, new Set());
  return out;
}

/** Compose durations (`30s`, `1m30s`) in seconds. */
export function seconds(d: string | undefined): number | undefined {
  if (!d) return undefined;
  let total = 0;
  for (const m of d.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
    const n = Number(m[1]);
    total += m[2] === 'h' ? n * 3600 : m[2] === 'm' ? n * 60 : m[2] === 'ms' ? n / 1000 : n;
  }
  return Math.ceil(total);
}
