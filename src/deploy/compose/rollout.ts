/**
 * Bringing the project to one release, service by service in start order, touching only what
 * changed (a container runs the release when its compose config hash matches the release's):
 *
 * - a service the proxy routes to is switched with zero downtime: new containers start beside
 *   the old ones (`up --no-recreate --scale`), and only once they are healthy does the proxy route
 *   to them (proxy-switch.ts); the old ones then drain and stop. If the new ones fail, they are
 *   removed and the old ones never stopped serving.
 * - every other service (dependencies, workers, services without a proxy, the proxy itself) is
 *   recreated by compose and waited for: it is briefly down while that happens.
 *
 * The same function brings back a previous release after a failure, and converges whatever a
 * killed deploy left: surplus containers are removed, the proxy routes to what runs.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Io } from '../../cli/output.ts';
import { composeText } from '../../render/compose/document.ts';
import type { ContainerInfo, Engine, ProjectRef } from './engine.ts';
import { commandFailure, type Failure, sleep, waitHealthy } from './health.ts';
import type { PlannedService, RolloutPlan } from './plan.ts';
import { liveCaddyfile, liveUpstreams, reloadProxy, writeLive } from './proxy-switch.ts';

export interface RolloutContext {
  engine: Engine;
  io: Io;
  project: ProjectRef;
  plan: RolloutPlan;
  /** The release's Caddyfile as rendered (routes to service names). */
  caddyfile?: string;
  /** The proxy's mounted file in the state dir. */
  liveCaddyfile: string;
  /** Epoch ms by which every new container must be healthy. */
  deadline: number;
  /** How long the old containers keep serving in-flight requests after the switch. */
  drainMs: number;
  /** --no-atomic: new containers that failed stay (beside the old ones, not routed) to be debugged. */
  keepFailed?: boolean;
}

export interface RolloutResult {
  failure?: Failure;
  /** Services whose containers changed. */
  changed: string[];
}

/**
 * The config hash compose labels each container with, per service. Every `up` here runs with
 * `--no-deps`, which drops depends_on from the service before compose hashes it, so the hashes
 * are taken from the file without depends_on too.
 */
export async function configHashes(engine: Engine, project: ProjectRef): Promise<Map<string, string>> {
  const doc = parse(readFileSync(project.file, 'utf8')) as {
    services?: Record<string, Record<string, unknown>>;
  };
  for (const svc of Object.values(doc.services ?? {})) delete svc.depends_on;
  const dir = mkdtempSync(join(tmpdir(), 'slipway-hash-'));
  try {
    const file = join(dir, 'compose.yaml');
    writeFileSync(file, composeText(doc, ' depends_on dropped, as up --no-deps does', []));
    const out = await engine.compose(
      'reading the release (docker compose config --hash)',
      { ...project, file },
      ['config', '--hash', '*'],
    );
    return new Map(
      out
        .split('\n')
        .map((l) => l.trim().split(/\s+/))
        .filter((p): p is [string, string] => p.length === 2)
        .map(([s, h]) => [s, h]),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The project's service containers (not one-off `compose run` containers). */
export async function serviceContainers(engine: Engine, project: string): Promise<ContainerInfo[]> {
  return (await engine.containers(project)).filter((c) => c.service !== '');
}

export async function rollout(ctx: RolloutContext): Promise<RolloutResult> {
  const { engine, project, plan } = ctx;
  const hashes = await configHashes(engine, project);
  const changed: string[] = [];
  const containersOf = async (svc: string) =>
    (await serviceContainers(engine, project.name)).filter((c) => c.service === svc);

  for (const svc of plan.services) {
    if (svc.role === 'hook' || svc.role === 'cron' || svc.role === 'job') continue;
    try {
      const r = await rolloutService(ctx, svc, hashes, containersOf);
      if (r.changed) changed.push(svc.name);
      if (r.failure) return { failure: r.failure, changed };
    } catch (e) {
      // A docker command failed part-way: the service may be half-changed, so it counts as changed.
      return { failure: commandFailure(svc.name, e), changed: [...changed, svc.name] };
    }
  }
  return { changed };
}

/** One service brought to the release; `changed` when its containers changed. */
async function rolloutService(
  ctx: RolloutContext,
  svc: PlannedService,
  hashes: Map<string, string>,
  containersOf: (s: string) => Promise<ContainerInfo[]>,
): Promise<{ failure?: Failure; changed: boolean }> {
  const { engine, plan } = ctx;
  const want = hashes.get(svc.name);
  let have = await containersOf(svc.name);
  // Leftovers that do not run (a killed deploy, a crash) only get in the way of scaling.
  const dead = have.filter((c) => !c.running);
  if (dead.length > 0) {
    await engine.remove(
      dead.map((c) => c.id),
      0,
    );
    have = have.filter((c) => c.running);
  }
  const upToDate = have.filter((c) => c.configHash === want);
  const outdated = have.filter((c) => c.configHash !== want);

  if (svc.role === 'proxy') return syncProxy(ctx, svc, upToDate, outdated);
  if (upToDate.length === svc.replicas && outdated.length === 0) return { changed: false };

  const proxyUp = plan.proxy
    ? (await containersOf(plan.proxy)).some((c) => c.running && c.configHash === hashes.get(plan.proxy ?? ''))
    : false;
  const failure =
    svc.proxied && ctx.caddyfile !== undefined && proxyUp && have.length > 0
      ? await switchover(ctx, svc, upToDate, outdated)
      : await recreate(ctx, svc, containersOf);
  return { ...(failure ? { failure } : {}), changed: true };
}

/** Compose recreates what changed; then every container of the service must come up. */
async function recreate(
  ctx: RolloutContext,
  svc: PlannedService,
  containersOf: (s: string) => Promise<ContainerInfo[]>,
): Promise<Failure | undefined> {
  const { engine, io, project } = ctx;
  const existing = (await containersOf(svc.name)).length;
  io.err(`  ${svc.name}: ${existing === 0 ? 'starting' : 'recreating'}\n`);
  await engine.compose(`starting ${svc.name}`, project, [
    'up',
    '--detach',
    '--no-deps',
    '--scale',
    `${svc.name}=${svc.replicas}`,
    svc.name,
  ]);
  const ids = (await containersOf(svc.name)).map((c) => c.id);
  return waitHealthy(engine, svc.name, ids, ctx.deadline);
}

/** New containers beside the old, health, proxy switch, drain, old stopped. */
async function switchover(
  ctx: RolloutContext,
  svc: PlannedService,
  upToDate: ContainerInfo[],
  outdated: ContainerInfo[],
): Promise<Failure | undefined> {
  const { engine, io, project } = ctx;
  // A killed deploy may have left new containers already: the proxy's routes say which serve.
  const serving = liveUpstreams(
    ctx.liveCaddyfile,
    [...upToDate, ...outdated].map((c) => c.name),
  );
  const keep = [...upToDate].sort(
    (a, b) => Number(serving.includes(b.name)) - Number(serving.includes(a.name)),
  );
  let fresh = keep.slice(0, svc.replicas);
  const surplus = keep.slice(svc.replicas);
  if (fresh.length < svc.replicas) {
    io.err(`  ${svc.name}: starting ${svc.replicas - fresh.length} new container(s) beside the old\n`);
    const before = new Set([...upToDate, ...outdated].map((c) => c.id));
    await engine.compose(`starting new ${svc.name} containers`, project, [
      'up',
      '--detach',
      '--no-deps',
      '--no-recreate',
      '--scale',
      `${svc.name}=${before.size + svc.replicas - fresh.length}`,
      svc.name,
    ]);
    const started = (await serviceContainers(engine, project.name)).filter(
      (c) => c.service === svc.name && !before.has(c.id),
    );
    fresh = [...fresh, ...started];
  }
  const failure = await waitHealthy(
    engine,
    svc.name,
    fresh.map((c) => c.id),
    ctx.deadline,
  );
  if (failure) {
    if (ctx.keepFailed) return failure;
    // The old containers never stopped serving: drop the new ones.
    await engine.remove(
      fresh.filter((c) => !serving.includes(c.name)).map((c) => c.id),
      0,
    );
    return failure;
  }
  await routeTo(
    ctx,
    svc.name,
    fresh.map((c) => c.name),
  );
  io.err(`  ${svc.name}: proxy switched to ${fresh.map((c) => c.name).join(', ')}\n`);
  const old = [...outdated, ...surplus];
  if (old.length > 0) {
    await sleep(ctx.drainMs);
    await engine.remove(
      old.map((c) => c.id),
      svc.graceSeconds,
    );
    io.err(`  ${svc.name}: drained and stopped ${old.map((c) => c.name).join(', ')}\n`);
  }
  return undefined;
}

/** Routes one service's traffic to `names` (others as they run now) and reloads the proxy. */
async function routeTo(ctx: RolloutContext, service: string, names: string[]): Promise<void> {
  const upstreams = await currentUpstreams(ctx);
  upstreams.set(service, names);
  if (!writeLive(ctx.liveCaddyfile, liveCaddyfile(ctx.caddyfile ?? '', upstreams))) return;
  const proxy = (await serviceContainers(ctx.engine, ctx.project.name)).find(
    (c) => c.service === ctx.plan.proxy && c.running,
  );
  if (proxy) await reloadProxy(ctx.engine, proxy.name);
}

/** Each routed service → the names of its running containers the live file routes to (else all running). */
async function currentUpstreams(ctx: RolloutContext): Promise<Map<string, string[]>> {
  const all = await serviceContainers(ctx.engine, ctx.project.name);
  const out = new Map<string, string[]>();
  for (const svc of ctx.plan.services.filter((s) => s.proxied)) {
    const running = all.filter((c) => c.service === svc.name && c.running).map((c) => c.name);
    const routed = liveUpstreams(ctx.liveCaddyfile, running);
    out.set(svc.name, routed.length > 0 ? routed : running);
  }
  return out;
}

/** The proxy last: its file routes to what runs now; recreated only when its own config changed. */
async function syncProxy(
  ctx: RolloutContext,
  svc: PlannedService,
  upToDate: ContainerInfo[],
  outdated: ContainerInfo[],
): Promise<{ failure?: Failure; changed: boolean }> {
  const { engine, io, project } = ctx;
  const text = liveCaddyfile(ctx.caddyfile ?? '', await currentUpstreams(ctx));
  const fileChanged = writeLive(ctx.liveCaddyfile, text);
  if (upToDate.length === svc.replicas && outdated.length === 0) {
    if (fileChanged && upToDate[0]) {
      await reloadProxy(engine, upToDate[0].name);
      io.err(`  ${svc.name}: routes reloaded\n`);
    }
    return { changed: fileChanged };
  }
  io.err(`  ${svc.name}: ${upToDate.length + outdated.length > 0 ? 'recreating' : 'starting'}\n`);
  await engine.compose(`starting ${svc.name}`, project, ['up', '--detach', '--no-deps', svc.name]);
  const ids = (await serviceContainers(engine, project.name))
    .filter((c) => c.service === svc.name)
    .map((c) => c.id);
  const failure = await waitHealthy(engine, svc.name, ids, ctx.deadline);
  return { ...(failure ? { failure } : {}), changed: true };
}
