/**
 * Start order, from the same graph: a container starts once everything it talks to is healthy
 * (or started, for the few without a health check), and once the pre-deploy hooks (migrations)
 * have completed successfully. Post-deploy hooks wait for the long-running services. A cycle —
 * possible through `${services.*}` references, which validation allows — cannot start in compose,
 * so the edge that would close it is left out, with a note.
 */
import type { Model } from '../../model/types.ts';
import { runsInCompose } from './connections.ts';

export type Condition = 'service_healthy' | 'service_started' | 'service_completed_successfully';

export interface DependsOnPlan {
  byService: Map<string, Map<string, Condition>>;
  notes: string[];
}

export function planDependsOn(
  model: Model,
  healthChecked: ReadonlySet<string>,
  proxy: string | undefined,
): DependsOnPlan {
  const rendered = new Set([
    ...model.services.map((s) => s.name),
    ...model.dependencies.filter(runsInCompose).map((d) => d.name),
  ]);
  // Declared edges (uses, routes) and hooks first: only reference-derived edges can form a cycle.
  const wanted: { from: string; to: string; condition: Condition; rank: number }[] = [];
  const ready = (to: string): Condition => (healthChecked.has(to) ? 'service_healthy' : 'service_started');
  for (const e of model.graph) {
    if (e.toKind === 'external' || !rendered.has(e.to) || e.from === e.to) continue;
    const rank = e.reason === 'env' ? 2 : 0;
    if (e.from === 'ingress' && proxy) wanted.push({ from: proxy, to: e.to, condition: ready(e.to), rank });
    else if (rendered.has(e.from)) wanted.push({ from: e.from, to: e.to, condition: ready(e.to), rank });
  }
  const pre = model.services.filter((s) => s.hook?.phase === 'pre-deploy');
  const longRunning = model.services.filter((s) => s.kind === 'web' || s.kind === 'worker');
  for (const s of model.services) {
    if (s.kind === 'cron') continue; // run on demand: must not re-run the hooks each time
    if (s.hook?.phase === 'pre-deploy') {
      for (const h of pre)
        if (h.hook && s.hook && h.hook.order < s.hook.order)
          wanted.push({ from: s.name, to: h.name, condition: 'service_completed_successfully', rank: 1 });
      continue;
    }
    for (const h of pre)
      wanted.push({ from: s.name, to: h.name, condition: 'service_completed_successfully', rank: 1 });
    if (s.hook?.phase === 'post-deploy')
      for (const l of longRunning)
        wanted.push({ from: s.name, to: l.name, condition: ready(l.name), rank: 1 });
  }

  // Add edges in a stable order, skipping any that would close a cycle.
  wanted.sort(
    (a, b) =>
      a.rank - b.rank ||
      (a.from !== b.from ? (a.from < b.from ? -1 : 1) : a.to < b.to ? -1 : a.to > b.to ? 1 : 0),
  );
  const byService = new Map<string, Map<string, Condition>>();
  const notes: string[] = [];
  const reaches = (start: string, goal: string): boolean => {
    const seen = new Set<string>();
    const stack = [start];
    while (stack.length > 0) {
      const n = stack.pop() as string;
      if (n === goal) return true;
      if (seen.has(n)) continue;
      seen.add(n);
      stack.push(...(byService.get(n)?.keys() ?? []));
    }
    return false;
  };
  for (const w of wanted) {
    const deps = byService.get(w.from) ?? new Map<string, Condition>();
    if (deps.has(w.to)) continue;
    if (reaches(w.to, w.from)) {
      notes.push(
        `start order: ${w.from} does not wait for ${w.to}, which already waits for ${w.from} (compose cannot start a cycle)`,
      );
      continue;
    }
    deps.set(w.to, w.condition);
    byService.set(w.from, deps);
  }
  return { byService, notes };
}
