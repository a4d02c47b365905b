/**
 * Deploy-to-healthy on a real Docker engine: `slipway deploy` of the compose e2e fixture (Node app
 * + PostgreSQL + Redis + a pre-deploy hook behind the Caddy proxy) against plain
 * `docker compose up -d --build --wait` of the same rendered project, each on its own compose
 * project and loopback port, run by run interleaved:
 *
 *   unchanged  nothing changed since the last deploy (build from cache, nothing recreated)
 *   changed    one env value changed (the hook runs again, the web service is replaced: slipway
 *              starts the new container beside the old and switches the proxy — zero downtime —
 *              where compose stops the old one first)
 *
 * Each run includes the build (cached) and waiting for health, as a person deploying waits. The
 * edit before a changed run is not timed. Needs an engine (DOCKER_HOST, or
 * test/e2e/scripts/start-docker.sh's) and the local base images (build-base-images.sh); without
 * them the case is skipped with a note.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { note, progress } from '../lib/log.ts';
import { median, percentile, rowsAgainst, type Stats } from '../lib/measure.ts';
import { CLI, NODE, ROOT } from '../lib/paths.ts';
import type { BenchCase, Row } from '../lib/types.ts';

const ID = 'compose-deploy';
const RUNS = 5;
const FIXTURE = join(ROOT, 'test', 'e2e', 'fixtures', 'compose-app');
const PEER_PROJECT = 'shopfront-bench-peer';
const SLIPWAY_PROJECT = 'shopfront-e2e';

function dockerHost(): string | undefined {
  if (process.env.DOCKER_HOST) return process.env.DOCKER_HOST;
  const env = join(process.env.TMPDIR || tmpdir(), 'slipway-docker', 'env');
  if (!existsSync(env)) return undefined;
  return /^DOCKER_HOST=(.+)$/m.exec(readFileSync(env, 'utf8'))?.[1]?.trim();
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

function sh(file: string, args: readonly string[], env: NodeJS.ProcessEnv): string {
  const r = spawnSync(file, args, { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0)
    throw new Error(
      `${file} ${args.join(' ')} exited ${r.status ?? r.signal}:\n${`${r.stdout}${r.stderr}`.trim().split('\n').slice(-12).join('\n')}`,
    );
  return r.stdout;
}

function timed(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

const stats = (label: string, t: number[]): Stats => ({
  label,
  medianMs: median(t),
  p90Ms: percentile(t, 90),
  runs: t.length,
});

export const composeDeploy: BenchCase = {
  id: ID,
  description: 'slipway deploy (unchanged, changed) vs docker compose up -d --build --wait, real engine',
  async run(): Promise<Row[]> {
    const host = dockerHost();
    const probe = host
      ? spawnSync('docker', ['image', 'inspect', 'local/node:24', 'local/caddy:2'], {
          env: { ...process.env, DOCKER_HOST: host },
          stdio: 'ignore',
        })
      : undefined;
    if (!host || probe?.status !== 0) {
      note(
        `${ID}: skipped — no Docker engine with the local base images (run test/e2e/scripts/start-docker.sh and build-base-images.sh)`,
      );
      return [];
    }
    const env = { ...process.env, DOCKER_HOST: host, NO_COLOR: '1' };
    const work = mkdtempSync(join(tmpdir(), 'slipway-bench-compose-'));
    const subject = join(work, 'slipway');
    const peer = join(work, 'peer');
    const state = join(work, 'state');
    const down = () => {
      for (const p of [PEER_PROJECT, SLIPWAY_PROJECT])
        spawnSync('docker', ['compose', '-p', p, 'down', '-v', '-t', '1'], { env, stdio: 'ignore' });
      // The fixture's images (BuildKit's cache keeps the layers for the next run).
      const refs = spawnSync('docker', ['image', 'ls', '--format', '{{.ID}}', 'shopfront-web'], {
        env,
        encoding: 'utf8',
      }).stdout.split('\n');
      const ids = [...new Set(refs.filter(Boolean))];
      if (ids.length > 0) spawnSync('docker', ['image', 'rm', '--force', ...ids], { env, stdio: 'ignore' });
    };
    try {
      down();
      for (const [dir, port] of [
        [subject, await freePort()],
        [peer, await freePort()],
      ] as const) {
        cpSync(FIXTURE, dir, { recursive: true });
        const spec = join(dir, 'slipway.yaml');
        writeFileSync(spec, readFileSync(spec, 'utf8').replace('127.0.0.1:18080:80', `127.0.0.1:${port}:80`));
        writeFileSync(join(dir, '.env'), 'DB_PASSWORD=bench-password-0123456789\n');
      }
      // The peer runs the same project as slipway plan writes it (compose.yaml, Caddyfile, Dockerfiles).
      const out = join(peer, 'deploy', 'e2e');
      sh(
        NODE,
        [CLI, 'render', join(peer, 'slipway.yaml'), '--env', 'e2e', '--target', 'docker', '-o', out],
        env,
      );
      const dockerfiles = readFileSync(join(out, 'docker', 'web.Dockerfile'), 'utf8');
      const ignore = readFileSync(join(out, 'docker', 'web.Dockerfile.dockerignore'), 'utf8');
      sh(
        NODE,
        [CLI, 'render', join(peer, 'slipway.yaml'), '--env', 'e2e', '--target', 'compose', '-o', out],
        env,
      );
      // render -o replaces the folder: put the Dockerfiles back beside compose.yaml.
      mkdirSync(join(out, 'docker'), { recursive: true });
      writeFileSync(join(out, 'docker', 'web.Dockerfile'), dockerfiles);
      writeFileSync(join(out, 'docker', 'web.Dockerfile.dockerignore'), ignore);
      const peerCompose = join(out, 'compose.yaml');
      const peerUp = () =>
        sh(
          'docker',
          [
            'compose',
            '-p',
            PEER_PROJECT,
            '-f',
            peerCompose,
            '--env-file',
            join(peer, '.env'),
            'up',
            '-d',
            '--build',
            '--wait',
          ],
          env,
        );
      const slipwayDeploy = () =>
        sh(NODE, [CLI, 'deploy', join(subject, 'slipway.yaml'), '--env', 'e2e', '--state-dir', state], env);
      let version = 1;
      const bump = () => {
        const next = version + 1;
        for (const file of [peerCompose, join(subject, 'slipway.yaml')])
          writeFileSync(
            file,
            readFileSync(file, 'utf8').replaceAll(`APP_VERSION: v${version}`, `APP_VERSION: v${next}`),
          );
        version = next;
      };

      progress(`${ID}: first deploys (images, databases)`);
      peerUp();
      slipwayDeploy();
      const t = {
        peerSame: [] as number[],
        slipSame: [] as number[],
        peerChanged: [] as number[],
        slipChanged: [] as number[],
      };
      progress(`${ID}: ${RUNS} rounds of unchanged + changed, each ~5–10 s`);
      for (let i = 0; i < RUNS; i++) {
        t.peerSame.push(timed(peerUp));
        t.slipSame.push(timed(slipwayDeploy));
        bump();
        t.peerChanged.push(timed(peerUp));
        t.slipChanged.push(timed(slipwayDeploy));
      }
      return [
        ...rowsAgainst(ID, stats('docker compose up -d --build --wait (unchanged)', t.peerSame), [
          stats('slipway deploy (unchanged)', t.slipSame),
        ]),
        ...rowsAgainst(ID, stats('docker compose up -d --build --wait (changed)', t.peerChanged), [
          stats('slipway deploy (changed, zero-downtime switch)', t.slipChanged),
        ]),
      ];
    } finally {
      down();
      rmSync(work, { recursive: true, force: true });
    }
  },
};
