/**
 * The real Docker engine for the compose suites, started the way withControlPlane starts Kubernetes:
 *
 *   const compose = composeCli()                 → gate: the docker CLI with the Compose v2 plugin
 *   const engine = dockerEngine()                → gate: that plus a dockerd to start (install-docker.sh)
 *   const docker = withDocker(engine)            → beforeAll: start-docker.sh, then build-base-images.sh
 *                                                  (0 s when the engine has them, ~30 s from cached
 *                                                  tarballs); afterAll: stop-docker.sh, unless the
 *                                                  engine was already running (then it is left as found)
 *   docker.env                                   → { DOCKER_HOST } for every child process
 *
 * A missing engine is a loud skip locally and a failing test under CI (requireEngine).
 * RUN_DIR: `$SLIPWAY_E2E_DOCKER_RUN_DIR`, default start-docker.sh's own (`${TMPDIR:-/tmp}/slipway-docker`).
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type EngineGate, requireEngine, run, SCRIPTS, SLIPWAY_CACHE } from '../_engines.ts';

const HOW = 'run test/e2e/scripts/install-docker.sh';

/** `docker compose version --short` (2.x), or throws saying how to install it. */
function composeVersion(): string {
  let out: string;
  try {
    out = execFileSync('docker', ['compose', 'version', '--short'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 20_000,
    }).trim();
  } catch {
    throw new Error(`the docker CLI with the Compose v2 plugin is missing: ${HOW}`);
  }
  if (!/^v?2\./.test(out)) throw new Error(`docker compose ${out} is not Compose v2: ${HOW}`);
  return out;
}

/** Gate: `docker compose` v2 (no daemon needed, e.g. for `docker compose config`). */
export function composeCli(): EngineGate<string> {
  return requireEngine('docker compose', composeVersion);
}

/** Gate: the compose CLI plus a dockerd that start-docker.sh can start (or an engine already answering). */
export function dockerEngine(): EngineGate<string> {
  return requireEngine('dockerd', () => {
    composeVersion();
    const cached = join(SLIPWAY_CACHE, 'bin', 'dockerd');
    for (const candidate of [process.env.SLIPWAY_DOCKERD, cached, '/usr/sbin/dockerd', '/usr/bin/dockerd']) {
      if (!candidate) continue;
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // next candidate
      }
    }
    throw new Error(`dockerd is not installed: ${HOW}`);
  });
}

export interface DockerEngine {
  /** `unix://…` of the engine (throws before beforeAll ran or when it failed). */
  readonly host: string;
  /** Environment for docker and slipway child processes: DOCKER_HOST set. */
  readonly env: NodeJS.ProcessEnv;
  /** `docker <args>` against this engine. */
  docker(
    args: readonly string[],
    opts?: { timeoutMs?: number; input?: string; cwd?: string },
  ): ReturnType<typeof run>;
}

/**
 * beforeAll: start-docker.sh (~2 s; reuses a running engine) and build-base-images.sh (the local/*
 * base images the fixtures point at). afterAll: stop-docker.sh if the engine was started here.
 * Does nothing when a gate is missing (the gated tests fail or skip on their own).
 */
export function withDocker(gates: readonly { ok: boolean }[] = [dockerEngine()]): DockerEngine {
  const runDir =
    process.env.SLIPWAY_E2E_DOCKER_RUN_DIR || join(process.env.TMPDIR || tmpdir(), 'slipway-docker');
  let host: string | undefined;
  let startedHere = false;
  const scriptEnv = () => ({ RUN_DIR: runDir, SLIPWAY_CACHE });

  beforeAll(async () => {
    if (gates.some((g) => !g.ok)) return;
    const r = await run(join(SCRIPTS, 'start-docker.sh'), [], { env: scriptEnv(), timeoutMs: 180_000 });
    if (r.code !== 0)
      throw new Error(
        `start-docker.sh failed (exit ${r.code}):\n${r.stderr.split('\n').slice(-40).join('\n')}`,
      );
    const m = /^export DOCKER_HOST=(.+)$/m.exec(r.stdout);
    if (!m) throw new Error(`start-docker.sh printed no DOCKER_HOST:\n${r.stdout}\n${r.stderr}`);
    host = (m[1] as string).trim();
    startedHere = !/reused/.test(r.stderr);
    const images = await run(join(SCRIPTS, 'build-base-images.sh'), [], {
      env: { ...scriptEnv(), DOCKER_HOST: host },
      timeoutMs: 1_200_000,
    });
    if (images.code !== 0)
      throw new Error(
        `build-base-images.sh failed (exit ${images.code}):\n${images.stderr.split('\n').slice(-40).join('\n')}`,
      );
    console.info(
      `docker engine ${startedHere ? 'started' : 'reused'} in ${Math.round(r.ms / 1000)} s, base images in ${Math.round(images.ms / 1000)} s (${runDir})`,
    );
  }, 1_500_000);

  afterAll(async () => {
    if (!startedHere) return;
    const r = await run(join(SCRIPTS, 'stop-docker.sh'), [], { env: scriptEnv(), timeoutMs: 180_000 });
    if (r.code !== 0) console.warn(`stop-docker.sh failed (exit ${r.code}):\n${r.stderr}`);
  }, 180_000);

  const need = (): string => {
    if (host === undefined) throw new Error('the Docker engine is not up: see the beforeAll error');
    return host;
  };
  return {
    get host() {
      return need();
    },
    get env() {
      return { DOCKER_HOST: need() };
    },
    docker(args, opts = {}) {
      return run('docker', args, { ...opts, env: { DOCKER_HOST: need() } });
    },
  };
}
