/**
 * Where the compose driver keeps an environment's state on the host:
 *
 *   <root>/<app>/<env>/
 *     lock                      the deploy in progress (lock.ts)
 *     current                   the revision that serves now
 *     releases/<N>/             one folder per release: release.json, compose.yaml, Caddyfile
 *     live/Caddyfile            the proxy's mounted config: routes to the containers that serve now
 *     live/compose.yaml         a copy of the current release's file (docker compose from here works)
 *     build/docker/…            the generated Dockerfiles the last build used
 *
 * <root> is --state-dir, else $SLIPWAY_STATE_DIR, else $XDG_STATE_HOME/slipway, else
 * ~/.local/state/slipway. Share one root between the people who deploy to the same host.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fsError } from './fs-errors.ts';

export interface StatePaths {
  root: string;
  env: string;
  lock: string;
  current: string;
  releases: string;
  live: string;
  liveCaddyfile: string;
  liveCompose: string;
  build: string;
}

export function stateRoot(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (option) return resolve(option);
  if (env.SLIPWAY_STATE_DIR) return resolve(env.SLIPWAY_STATE_DIR);
  const xdg = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(xdg, 'slipway');
}

export function statePaths(root: string, app: string, environment: string): StatePaths {
  const dir = join(root, app, environment);
  return {
    root,
    env: dir,
    lock: join(dir, 'lock'),
    current: join(dir, 'current'),
    releases: join(dir, 'releases'),
    live: join(dir, 'live'),
    liveCaddyfile: join(dir, 'live', 'Caddyfile'),
    liveCompose: join(dir, 'live', 'compose.yaml'),
    build: join(dir, 'build'),
  };
}

/** Write via a temporary file and rename, so a reader (or a killed deploy) never sees half a file. */
export function writeAtomic(path: string, content: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  } catch (e) {
    // A full disk leaves half a temporary file: it must not stay behind.
    rmSync(tmp, { force: true });
    throw fsError(e, path) ?? e;
  }
}

/** Creates the folders a deploy or rollback writes to (read-only commands never do). */
export function ensureStateDirs(paths: StatePaths): void {
  for (const d of [paths.live, paths.releases, paths.build]) {
    try {
      mkdirSync(d, { recursive: true });
    } catch (e) {
      throw fsError(e, d) ?? e;
    }
  }
}
