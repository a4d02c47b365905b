/**
 * `slipway deploy` and `slipway rollback` on a compose environment: lock, recover what a killed
 * deploy left, check prerequisites (nothing changed yet), build, record the release, apply it.
 */
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { EngineError, UsageError } from '../../cli/errors.ts';
import type { Io } from '../../cli/output.ts';
import { composeText } from '../../render/compose/document.ts';
import type { DeployOptions, DeployTarget, RollbackOptions } from '../driver.ts';
import { applyRelease, ensureRunning, projectFor } from './apply.ts';
import {
  type Bundle,
  envFileIfPresent,
  redactor,
  releaseCompose,
  renderBundle,
  secretValues,
} from './bundle.ts';
import { Engine, type ProjectRef } from './engine.ts';
import { buildImages } from './images.ts';
import { acquireLock, type Lock, whoami } from './lock.ts';
import {
  checkBuildEngine,
  checkComposeFile,
  checkDisk,
  checkEngine,
  checkPorts,
  publishedPorts,
} from './prerequisites.ts';
import { type ReleaseRecord, ReleaseStore, unreadableWarnings } from './releases.ts';
import { configHashes, serviceContainers } from './rollout.ts';
import { ensureStateDirs, type StatePaths, statePaths, stateRoot } from './state.ts';

/** Where the environment's state lives; creates nothing (deploy and rollback call ensureStateDirs). */
export function pathsFor(target: DeployTarget, stateDir?: string): StatePaths {
  return statePaths(stateRoot(stateDir), target.model.app.name, target.env);
}

/** A release a killed deploy left pending is marked failed; its containers converge in the rollout. */
function recover(store: ReleaseStore, lock: Lock, io: Io): void {
  for (const w of unreadableWarnings(store)) io.err(w);
  if (lock.takenOver)
    io.err(
      `warning: a ${lock.takenOver.holder.command} started ${lock.takenOver.holder.startedAt} by ${lock.takenOver.holder.user}@${lock.takenOver.holder.host} did not finish (${lock.takenOver.why}); recovering\n`,
    );
  for (const r of store.list().filter((x) => x.status === 'pending')) {
    store.finish(r, 'failed', 'interrupted: the deploy process died before it finished');
    io.err(`  release ${r.revision} was interrupted: marked failed\n`);
  }
}

function header(target: DeployTarget, revisionNote: string): string {
  const m = target.model;
  return [
    ` Deployed by slipway: ${m.app.name}, environment "${target.env}" (${revisionNote}).`,
    ' Built images carry content tags; secrets are interpolated from the env file at every run.',
    ' Do not edit: change slipway.yaml and run slipway deploy (slipway history lists the releases).',
  ].join('\n');
}

async function preflight(
  engine: Engine,
  paths: StatePaths,
  project: ProjectRef,
  ports: ReturnType<typeof publishedPorts>,
  envShown: string,
  builds: boolean,
): Promise<void> {
  const { server } = await checkEngine(engine);
  if (builds) checkBuildEngine(server);
  await checkComposeFile(engine, project, envShown);
  const own = new Set((await serviceContainers(engine, project.name)).flatMap((c) => c.publishedPorts));
  await checkPorts(ports, own);
  const root = (await engine.exec(['info', '--format', '{{.DockerRootDir}}'])).stdout.trim();
  checkDisk([paths.env, ...(root ? [root] : [])], (builds ? 1024 : 100) * 2 ** 20);
}

export async function deploy(target: DeployTarget, options: DeployOptions): Promise<number> {
  const { io, model } = target;
  const paths = pathsFor(target, options.stateDir);
  ensureStateDirs(paths);
  const bundle: Bundle = renderBundle(target, paths, options.registry);
  const envFile = envFileIfPresent(bundle.envFile);
  const envShown = relative(process.cwd(), bundle.envFile) || bundle.envFile;
  const engine = new Engine(redactor(secretValues(envFile)));
  const lock = acquireLock(paths.lock, 'deploy', `${model.app.name}/${target.env}`);
  try {
    const store = new ReleaseStore(paths);
    recover(store, lock, io);
    io.err(`deploying ${model.app.name} to ${target.env} (compose project ${bundle.project})\n`);

    // The rendered project (with its build sections) is what the prerequisites check.
    const rendered = join(paths.build, 'compose.yaml');
    writeFileSync(rendered, composeText(bundle.compose, header(target, 'as rendered, before the build'), []));
    await preflight(
      engine,
      paths,
      { name: bundle.project, file: rendered, directory: paths.live, ...(envFile ? { envFile } : {}) },
      publishedPorts(bundle.compose),
      envShown,
      bundle.builds.length > 0,
    );

    const built = await buildImages(
      engine,
      io,
      bundle.builds,
      bundle.dockerfiles,
      paths.build,
      options.imageTag,
    );
    const refs = new Map([...built].map(([svc, b]) => [svc, b.ref]));
    const release = releaseCompose(bundle.compose, refs);
    const compose = composeText(release, header(target, 'one release of its history'), []);
    const current = store.current();
    let envChanged = false;
    if (current) {
      const files = store.files(current.revision);
      if (
        files.compose === compose &&
        files.caddyfile === bundle.caddyfile &&
        current.specHash === bundle.specHash
      ) {
        // Same files; a changed env file (a rotated secret) still changes the interpolated services.
        const now = await configHashes(engine, projectFor(paths, store, current, envFile));
        envChanged = [...now].some(([svc, hash]) => current.configHashes[svc] !== hash);
        if (!envChanged) {
          io.err(`nothing changed since release ${current.revision}: making sure it runs\n`);
          return await ensureRunning(engine, io, paths, current, envFile, options.timeoutSeconds);
        }
        io.err(`the env file changed since release ${current.revision}: a new release applies it\n`);
      }
    }

    const imageIds: Record<string, string> = {};
    for (const [svc, b] of built) imageIds[svc] = b.id;
    const record: ReleaseRecord = {
      revision: store.nextRevision(),
      status: 'pending',
      specHash: bundle.specHash,
      images: Object.fromEntries(
        Object.entries(release.services).map(([name, s]) => [name, String(s.image ?? '')]),
      ),
      user: whoami(),
      startedAt: new Date().toISOString(),
      description:
        options.description ?? (current ? (envChanged ? 'env file changed' : 'upgrade') : 'install'),
      project: bundle.project,
      plan: bundle.plan,
      built: Object.fromEntries(refs),
      imageIds,
      configHashes: {},
      pid: process.pid,
    };
    store.create(record, {
      compose,
      ...(bundle.caddyfile !== undefined ? { caddyfile: bundle.caddyfile } : {}),
    });
    io.err(`release ${record.revision}: ${Object.keys(release.services).length} services\n`);
    return await applyRelease(engine, io, paths, record, envFile, current, {
      timeoutSeconds: options.timeoutSeconds,
      atomic: options.atomic,
      hooks: true,
    });
  } finally {
    lock.release();
  }
}

export async function rollback(target: DeployTarget, options: RollbackOptions): Promise<number> {
  const { io, model } = target;
  const paths = pathsFor(target, options.stateDir);
  const store = new ReleaseStore(paths);
  const current = store.current();
  const damaged = store.unreadable().find((u) => u.revision === store.currentRevision());
  if (!current && damaged)
    throw new EngineError(
      `the record of the current release ${damaged.revision} (${damaged.file}) cannot be read: ${damaged.why}`,
      'restore the file from a backup, or remove the current file to deploy as new',
    );
  if (!current)
    throw new UsageError(`${target.env} has no release yet`, 'slipway deploy creates the first one');
  const candidates = store
    .list()
    .filter((r) => r.revision < current.revision && (r.status === 'superseded' || r.status === 'deployed'));
  const to = options.to ?? candidates.at(-1)?.revision;
  if (to === undefined)
    throw new UsageError(
      `release ${current.revision} is the only one that ever served ${target.env}`,
      'slipway history lists the releases',
    );
  if (to === current.revision) {
    io.err(`release ${to} already serves ${target.env}\n`);
    return 0;
  }
  const source = store.get(to);
  if (!source)
    throw new UsageError(`${target.env} has no release ${to}`, 'slipway history lists the releases');
  if (source.status === 'failed' || source.status === 'rolled-back' || source.status === 'pending')
    throw new UsageError(
      `release ${to} never served (${source.status}${source.failure ? `: ${source.failure}` : ''})`,
      'roll back to a release that was deployed (slipway history)',
    );

  const envFileName = model.environment.secretSource.file ?? '.env';
  const envFile = envFileIfPresent(join(target.loaded.dir, envFileName));
  const engine = new Engine(redactor(secretValues(envFile)));
  ensureStateDirs(paths);
  const lock = acquireLock(paths.lock, 'rollback', `${model.app.name}/${target.env}`);
  try {
    recover(store, lock, io);
    await checkEngine(engine);
    for (const ref of Object.values(source.built)) {
      if ((await engine.imageId(ref)) === undefined)
        throw new EngineError(
          `the image ${ref} of release ${to} is no longer on this host`,
          `only the newest releases keep their images (SLIPWAY_KEEP_RELEASES); deploy that version of the spec again instead`,
        );
    }
    // The env file must still give every secret the old release needs: checked before recording.
    await checkComposeFile(
      engine,
      {
        name: source.project,
        file: join(store.dir(to), 'compose.yaml'),
        directory: paths.live,
        ...(envFile ? { envFile } : {}),
      },
      envFileName,
    );
    const files = store.files(to);
    const record: ReleaseRecord = {
      ...source,
      revision: store.nextRevision(),
      status: 'pending',
      user: whoami(),
      startedAt: new Date().toISOString(),
      description: `rollback to ${to}`,
      rollbackOf: to,
      configHashes: {},
      pid: process.pid,
    };
    delete record.finishedAt;
    delete record.failure;
    store.create(record, files);
    io.err(`rolling ${target.env} back to release ${to} as release ${record.revision}\n`);
    return await applyRelease(engine, io, paths, record, envFile, current, {
      timeoutSeconds: options.timeoutSeconds,
      atomic: true,
      hooks: false,
    });
  } finally {
    lock.release();
  }
}
