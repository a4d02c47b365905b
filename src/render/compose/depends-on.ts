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
  const wanted: { from: string; to: string; condition: Condition }[] = [];
  const ready = (to: string): Condition => (healthChecked.has(to) ? 'service_healthy' : 'service_started');
  for (const e of model.graph) {
    if (e.toKind === 'external' || !rendered.has(e.to) || e.from === e.to) continue;
    if (e.from === 'ingress' && proxy) wanted.push({ from: proxy, to: e.to, condition: ready(e.to) });
    else if (rendered.has(e.from)) wanted.push({ from: e.from, to: e.to, condition: ready(e.to) });
  }
  const pre = model.services.filter((s) => s.hook?.phase === 'pre-deploy');
  const longRunning = model.services.filter((s) => s.kind === 'web' || s.kind === 'worker');
  for (const s of model.services) {
    if (s.kind === 'cron') continue; // run on demand: must not re-run the hooks each time
    if (s.hook?.phase === 'pre-deploy') {
      for (const h of pre)
        if (h.hook && s.hook && h.hook.order < s.hook.order)
          wanted.push({ from: s.name, to: h.name, condition: 'service_completed_successfully' });
      continue;
    }
    for (const h of pre) wanted.push({ from: s.name, to: h.name, condition: 'service_completed_successfully' });
    if (s.hook?.phase === 'post-deploy')
      for (const l of longRunning) wanted.push({ from: s.name, to: l.name, condition: ready(l.name) });
  }

  // Add edges in a stable order, skipping any that would close a cycle.
  wanted.sort((a, b) => (a.from !== b.from ? (a.from < b.from ? -1 : 1) : a.to < b.to ? -1 : a.to > b.to ? 1 : 0));
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
