/**
 * Pre- and post-deploy hooks (jobs such as migrations): each runs to completion, in `order`,
 * before the rollout starts (pre) or after it ends (post), within its deadline and retries. What
 * a hook needs (its database) is started first if it is not running — never recreated — so a
 * failing pre-deploy hook leaves every running service as it was. The finished container stays
 * (exited), so compose's `service_completed_successfully` holds for a later `docker compose up`.
 */
import type { Io } from '../../cli/output.ts';
import type { Engine, ProjectRef } from './engine.ts';
import { commandFailure, describe, type Failure, waitHealthy } from './health.ts';
import type { PlannedService, RolloutPlan } from './plan.ts';
import { serviceContainers } from './rollout.ts';

export async function runHooks(
  engine: Engine,
  io: Io,
  project: ProjectRef,
  plan: RolloutPlan,
  phase: 'pre-deploy' | 'post-deploy',
  deadline: number,
  /** Services started on the way (what the hooks needed), reported as changed. */
  started: string[] = [],
): Promise<Failure | undefined> {
  const hooks = plan.services
    .filter((s) => s.role === 'hook' && s.hook?.phase === phase)
    .sort((a, b) => (a.hook?.order ?? 0) - (b.hook?.order ?? 0) || (a.name < b.name ? -1 : 1));
  for (const hook of hooks) {
    try {
      const failure = await runHook(engine, io, project, plan, phase, deadline, started, hook);
      if (failure) return failure;
    } catch (e) {
      return commandFailure(hook.name, e);
    }
  }
  return undefined;
}

/** One hook, with what it needs started first and its retries. */
async function runHook(
  engine: Engine,
  io: Io,
  project: ProjectRef,
  plan: RolloutPlan,
  phase: string,
  deadline: number,
  started: string[],
  hook: PlannedService,
): Promise<Failure | undefined> {
  const needs = hook.dependsOn.filter((d) => plan.services.find((s) => s.name === d)?.role !== 'hook');
  const running = new Set(
    (await serviceContainers(engine, project.name)).filter((c) => c.running).map((c) => c.service),
  );
  const missing = needs.filter((d) => !running.has(d));
  if (missing.length > 0) {
    io.err(`  ${hook.name}: starting what it needs first (${missing.join(', ')})\n`);
    await engine.compose(`starting ${missing.join(', ')}`, project, [
      'up',
      '--detach',
      '--no-deps',
      '--no-recreate',
      ...missing,
    ]);
    started.push(...missing);
    for (const d of missing) {
      const ids = (await serviceContainers(engine, project.name))
        .filter((c) => c.service === d)
        .map((c) => c.id);
      const failure = await waitHealthy(engine, d, ids, deadline);
      if (failure) return failure;
    }
  }
  const attempts = (hook.hook?.retries ?? 0) + 1;
  const limitMs = (hook.hook?.deadlineSeconds ?? 600) * 1000;
  for (let attempt = 1; ; attempt++) {
    io.err(
      `  ${hook.name}: running the ${phase} hook${attempts > 1 ? ` (attempt ${attempt}/${attempts})` : ''}\n`,
    );
    await engine.compose(`starting the ${hook.name} hook`, project, [
      'up',
      '--detach',
      '--no-deps',
      '--force-recreate',
      hook.name,
    ]);
    const c = (await serviceContainers(engine, project.name)).find((x) => x.service === hook.name);
    if (!c) return { service: hook.name, reason: `the ${phase} hook's container did not start` };
    const r = await engine.exec(['wait', c.id], { timeoutMs: limitMs });
    const timedOut = r.code !== 0 || r.stdout.trim() === '';
    if (timedOut) await engine.exec(['stop', '--time', '5', c.id]);
    const [info] = await engine.inspect([c.id]);
    const code = timedOut ? undefined : Number(r.stdout.trim());
    if (code === 0) break;
    if (attempt >= attempts) {
      const reason =
        code === undefined
          ? `the ${phase} hook did not finish within ${hook.hook?.deadlineSeconds ?? 600} s`
          : `the ${phase} hook failed (exit code ${code})`;
      return info
        ? { ...(await describe(engine, info, reason)), service: hook.name }
        : { service: hook.name, reason };
    }
  }
  return undefined;
}
