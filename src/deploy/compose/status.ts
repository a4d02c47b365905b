/**
 * `slipway status`, `slipway down` and `slipway history` on a compose environment. A container's
 * release is the newest release whose config hash for that service matches the container's
 * (`drift` when none does: someone changed it by hand).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { json } from '../../cli/output.ts';
import { printHistory } from '../_history.ts';
import type { DeployTarget } from '../driver.ts';
import { envFileIfPresent, redactor, secretValues } from './bundle.ts';
import { Engine, type ProjectRef } from './engine.ts';
import { checkEngine } from './prerequisites.ts';
import { ReleaseStore, summaries, unreadableWarnings } from './releases.ts';
import { serviceContainers } from './rollout.ts';
import type { StatePaths } from './state.ts';

export function history(target: DeployTarget, paths: StatePaths, max?: number): number {
  const store = new ReleaseStore(paths);
  for (const w of unreadableWarnings(store)) target.io.err(w);
  const all = summaries(store.list()).sort((a, b) => b.revision - a.revision);
  printHistory(target.io, target.env, max !== undefined && max > 0 ? all.slice(0, max) : all);
  return 0;
}

/** Seconds → `3d4h`, `2h5m`, `4m10s`, `12s`. */
export function uptime(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d${h}h`;
  if (h > 0) return `${h}h${m}m`;
  if (m > 0) return `${m}m${s % 60}s`;
  return `${s}s`;
}

export async function status(target: DeployTarget, paths: StatePaths): Promise<number> {
  const { io } = target;
  const store = new ReleaseStore(paths);
  for (const w of unreadableWarnings(store)) io.err(w);
  const records = store.list();
  const current = store.current();
  const engine = new Engine();
  await checkEngine(engine);
  const project = current?.project ?? target.model.environment.namespace;
  const containers = await serviceContainers(engine, project);
  const releaseOf = (svc: string, hash: string) =>
    [...records].reverse().find((r) => r.configHashes?.[svc] === hash)?.revision;
  const services = current?.plan.services.map((s) => s.name) ?? [
    ...new Set(containers.map((c) => c.service)),
  ];
  const now = Date.now();
  const rows = services.flatMap((svc) => {
    const cs = containers.filter((c) => c.service === svc);
    const role = current?.plan.services.find((s) => s.name === svc)?.role ?? 'app';
    if (cs.length === 0)
      return [
        {
          service: svc,
          container: '',
          release: '',
          state:
            role === 'cron'
              ? 'not scheduled (cron: host crontab)'
              : role === 'job'
                ? `not run (job: docker compose run --rm ${svc})`
                : 'not running',
          uptime: '',
        },
      ];
    return cs.map((c) => {
      const rev = releaseOf(svc, c.configHash);
      return {
        service: svc,
        container: c.name,
        release: rev === undefined ? 'drift' : String(rev),
        state: c.running ? (c.health === 'none' ? 'running' : c.health) : `${c.state} (exit ${c.exitCode})`,
        uptime: c.running ? uptime((now - Date.parse(c.startedAt)) / 1000) : '',
      };
    });
  });
  if (io.format === 'json') {
    io.out(
      json({ environment: target.env, project, currentRelease: current?.revision ?? null, services: rows }),
    );
    return 0;
  }
  io.out(
    `${target.env}: project ${project}, ${current ? `release ${current.revision} (${current.status})` : 'no release yet'}\n`,
  );
  const head = ['SERVICE', 'RELEASE', 'STATE', 'UPTIME', 'CONTAINER'];
  const table = rows.map((r) => [r.service, r.release, r.state, r.uptime, r.container]);
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  io.out(`${[line(head), ...table.map(line)].join('\n')}\n`);
  return 0;
}

export async function down(target: DeployTarget, paths: StatePaths, volumes: boolean): Promise<number> {
  const { io, model } = target;
  const current = new ReleaseStore(paths).current();
  const envFile = envFileIfPresent(join(target.loaded.dir, model.environment.secretSource.file ?? '.env'));
  const engine = new Engine(redactor(secretValues(envFile)));
  await checkEngine(engine);
  const name = current?.project ?? model.environment.namespace;
  const args = ['down', '--remove-orphans', ...(volumes ? ['--volumes'] : [])];
  if (existsSync(paths.liveCompose) && envFile) {
    const project: ProjectRef = { name, file: paths.liveCompose, directory: paths.live, envFile };
    await engine.compose(`stopping ${name}`, project, args);
  } else {
    // Without the file (or its secrets) compose still finds the project's containers by name.
    await engine.run(`stopping ${name}`, ['compose', '--project-name', name, ...args]);
  }
  io.err(
    `${name}: containers and networks removed; ${volumes ? 'volumes deleted' : 'volumes kept (slipway down --volumes deletes them)'}\n`,
  );
  if (current) io.err(`slipway deploy starts release ${current.revision} again (history is kept)\n`);
  return 0;
}
