/**
 * Making a release serve, and what happens when it cannot: the pre-deploy hooks, the rollout,
 * the post-deploy hooks; on a failure the previous release is brought back (its containers were
 * kept wherever the proxy allowed, so usually nothing has to move) and the failure is reported
 * with the service, the check and the last log lines — exit 3.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Io } from '../../cli/output.ts';
import type { Engine, ProjectRef } from './engine.ts';
import { fsError } from './fs-errors.ts';
import { commandFailure, type Failure, formatFailure } from './health.ts';
import { runHooks } from './hooks.ts';
import { keepCount, pruneImages } from './images.ts';
import { type ReleaseRecord, ReleaseStore } from './releases.ts';
import { configHashes, type RolloutContext, type RolloutResult, rollout } from './rollout.ts';
import type { StatePaths } from './state.ts';

export interface ApplyOptions {
  timeoutSeconds: number;
  atomic: boolean;
  /** Run the release's hooks (a rollback does not: it does not undo a migration either). */
  hooks: boolean;
  drainMs?: number;
}

export function projectFor(
  paths: StatePaths,
  store: ReleaseStore,
  record: ReleaseRecord,
  envFile?: string,
): ProjectRef {
  return {
    name: record.project,
    file: join(store.dir(record.revision), 'compose.yaml'),
    directory: paths.live,
    ...(envFile ? { envFile } : {}),
  };
}

/** Drain time after a proxy switch: $SLIPWAY_DRAIN_SECONDS, default 2. */
export function drainMs(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.SLIPWAY_DRAIN_SECONDS ?? 2);
  return Number.isFinite(n) && n >= 0 ? n * 1000 : 2000;
}

/** Applies a pending release already written to the store; resolves to the exit code. */
export async function applyRelease(
  engine: Engine,
  io: Io,
  paths: StatePaths,
  record: ReleaseRecord,
  envFile: string | undefined,
  previous: ReleaseRecord | undefined,
  opts: ApplyOptions,
): Promise<number> {
  const store = new ReleaseStore(paths);
  const project = projectFor(paths, store, record, envFile);
  const files = store.files(record.revision);
  const started = Date.now();
  const deadline = started + opts.timeoutSeconds * 1000;
  const drain = opts.drainMs ?? drainMs();
  try {
    record.configHashes = Object.fromEntries(await configHashes(engine, project));
  } catch (e) {
    // Nothing changed yet; the record must not stay pending.
    store.finish(record, 'failed', e instanceof Error ? e.message : String(e));
    throw e;
  }
  store.save(record);
  const label = `release ${record.revision}`;

  const ctx = {
    engine,
    io,
    project,
    plan: record.plan,
    ...(files.caddyfile !== undefined ? { caddyfile: files.caddyfile } : {}),
    liveCaddyfile: paths.liveCaddyfile,
    deadline,
    drainMs: drain,
    keepFailed: !opts.atomic,
  };

  const startedForHooks: string[] = [];
  if (opts.hooks) {
    const hookFailure = await runHooks(
      engine,
      io,
      project,
      record.plan,
      'pre-deploy',
      deadline,
      startedForHooks,
    );
    if (hookFailure) {
      store.finish(record, 'failed', `${hookFailure.service}: ${hookFailure.reason}`);
      io.err(
        `error: ${label} failed before any service changed\n${formatFailure(hookFailure)}\n${
          previous
            ? `release ${previous.revision} keeps serving, unchanged.`
            : 'nothing was started but what the hook needs.'
        }\n`,
      );
      return 3;
    }
  }

  let result = await guardedRollout(ctx, record.project);
  result = { ...result, changed: [...new Set([...startedForHooks, ...result.changed])] };
  if (!result.failure && opts.hooks) {
    const post = await runHooks(engine, io, project, record.plan, 'post-deploy', deadline);
    if (post) result = { ...result, failure: post };
  }
  if (!result.failure) {
    store.promote(record);
    try {
      copyFileSync(project.file, paths.liveCompose);
    } catch (e) {
      // The release serves and is recorded; only the convenience copy is stale.
      const why = fsError(e, paths.liveCompose);
      if (!why) throw e;
      io.err(
        `warning: ${why.message}; ${paths.liveCompose} still holds the previous release (${why.detail})\n`,
      );
    }
    const pruned = await pruneImages(engine, store.list(), record.revision, keepCount());
    const changed =
      result.changed.length > 0 ? result.changed.join(', ') : 'nothing (all services were up to date)';
    io.err(
      `${label} deployed in ${((Date.now() - started) / 1000).toFixed(1)} s; changed: ${changed}${
        pruned.length > 0 ? `; images of old releases removed: ${pruned.join(', ')}` : ''
      }\n`,
    );
    io.out(
      io.format === 'json'
        ? `${JSON.stringify({ revision: record.revision, status: 'deployed', changed: result.changed })}\n`
        : `deployed ${record.project} release ${record.revision}\n`,
    );
    return 0;
  }
  return fail(engine, io, paths, record, previous, result.failure, envFile, opts, drain);
}

/** A rollout whose failed docker commands (even before any service is reached) are a Failure. */
async function guardedRollout(ctx: RolloutContext, project: string): Promise<RolloutResult> {
  try {
    return await rollout(ctx);
  } catch (e) {
    return { failure: commandFailure(project, e), changed: [] };
  }
}

async function fail(
  engine: Engine,
  io: Io,
  paths: StatePaths,
  record: ReleaseRecord,
  previous: ReleaseRecord | undefined,
  failure: Failure,
  envFile: string | undefined,
  opts: ApplyOptions,
  drain: number,
): Promise<number> {
  const store = new ReleaseStore(paths);
  const summary = `${failure.service}: ${failure.reason}`;
  io.err(`error: release ${record.revision} failed\n${formatFailure(failure)}\n`);
  if (!opts.atomic || !previous) {
    store.finish(record, 'failed', summary);
    io.err(
      previous
        ? `--no-atomic: left as it is (release ${previous.revision} still serves what the proxy routes to); slipway rollback returns to it fully\n`
        : 'there is no previous release to return to; fix the service and deploy again (slipway down removes it)\n',
    );
    return 3;
  }
  io.err(`rolling back: release ${previous.revision} resumes serving\n`);
  const previousCaddyfile = store.files(previous.revision).caddyfile;
  const back = await guardedRollout(
    {
      engine,
      io,
      project: projectFor(paths, store, previous, envFile),
      plan: previous.plan,
      ...(previousCaddyfile !== undefined ? { caddyfile: previousCaddyfile } : {}),
      liveCaddyfile: paths.liveCaddyfile,
      deadline: Date.now() + opts.timeoutSeconds * 1000,
      drainMs: drain,
    },
    previous.project,
  ).catch((e: unknown) => {
    // Not a docker failure (a bug, a full disk): the record still ends, then the error goes up.
    store.finish(record, 'failed', `${summary}; the rollback failed: ${e instanceof Error ? e.message : e}`);
    throw e;
  });
  store.finish(record, 'rolled-back', summary);
  if (back.failure) {
    io.err(`error: release ${previous.revision} did not come back either\n${formatFailure(back.failure)}\n`);
    return 3;
  }
  io.err(
    `release ${previous.revision} serves${back.changed.length > 0 ? ` (restored: ${back.changed.join(', ')})` : ' (it never stopped)'}\n`,
  );
  return 3;
}

/**
 * An unchanged deploy: the current release is brought back where something drifted or stopped
 * (a container removed by hand, `slipway down`), without a new record and without hooks.
 */
export async function ensureRunning(
  engine: Engine,
  io: Io,
  paths: StatePaths,
  current: ReleaseRecord,
  envFile: string | undefined,
  timeoutSeconds: number,
): Promise<number> {
  const store = new ReleaseStore(paths);
  const caddyfile = store.files(current.revision).caddyfile;
  const started = Date.now();
  const result = await rollout({
    engine,
    io,
    project: projectFor(paths, store, current, envFile),
    plan: current.plan,
    ...(caddyfile !== undefined ? { caddyfile } : {}),
    liveCaddyfile: paths.liveCaddyfile,
    deadline: started + timeoutSeconds * 1000,
    drainMs: drainMs(),
  });
  if (result.failure) {
    io.err(`error: release ${current.revision} is not healthy\n${formatFailure(result.failure)}\n`);
    return 3;
  }
  io.err(
    `release ${current.revision} runs (${((Date.now() - started) / 1000).toFixed(1)} s)${
      result.changed.length > 0 ? `; restarted: ${result.changed.join(', ')}` : ''
    }\n`,
  );
  io.out(
    io.format === 'json'
      ? `${JSON.stringify({ revision: current.revision, status: 'unchanged', changed: result.changed })}\n`
      : `${current.project} release ${current.revision} is current, nothing to deploy\n`,
  );
  return 0;
}
