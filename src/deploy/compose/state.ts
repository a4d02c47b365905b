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
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

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
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}
