/**
 * `slipway deploy` on a real Docker engine (withDocker: dockerd from install-docker.sh, base
 * images from build-base-images.sh). The fixture (test/e2e/fixtures/compose-app) is a Node HTTP
 * server with PostgreSQL, Redis and a pre-deploy hook, behind the production profile's Caddy
 * proxy, published on a loopback port picked here. The scenarios run in order on one project:
 *
 *   fresh deploy → healthy and answering through the proxy, the hook ran first
 *   config change under load → zero failed requests (the count is printed)
 *   broken releases (failing health check; crashing container) → exit 3 naming the service, the
 *     check and the last log lines; the old release answered throughout
 *   rollback --to 1; a concurrent deploy refused; SIGKILL mid-deploy, then a deploy converges;
 *   down keeps the volumes, down --volumes deletes them; promote is a usage error
 *
 * The database password never appears in any output.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { BIN, NODE } from '../_helpers.ts';
import { run } from './_engines.ts';
import { dockerEngine, withDocker } from './support/docker.ts';
import { getJson, startLoad } from './support/load.ts';

const engine = dockerEngine();
const docker = withDocker([engine]);
const FIXTURE = join(process.cwd(), 'test/e2e/fixtures/compose-app');
const WORK = mkdtempSync(join(tmpdir(), 'slipway-compose-deploy-'));
const APP = join(WORK, 'app');
const STATE = join(WORK, 'state');
const SPEC = join(APP, 'slipway.yaml');
const PROJECT = 'shopfront-e2e';
const HOST = 'shop.localtest';
const PASSWORD = `pw${Math.random().toString(36).slice(2)}${Date.now()}`;
const outputs: string[] = [];
let port = 0;

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

function cliEnv(): NodeJS.ProcessEnv {
  return { ...docker.env, NO_COLOR: '1', SLIPWAY_DEBUG: '', SLIPWAY_DRAIN_SECONDS: '1' };
}

async function slipway(args: string[], timeoutMs = 300_000, env: NodeJS.ProcessEnv = {}) {
  const r = await run(NODE, [BIN, ...args, SPEC, '--env', 'e2e', '--state-dir', STATE], {
    env: { ...cliEnv(), ...env },
    timeoutMs,
  });
  outputs.push(r.stdout, r.stderr);
  return r;
}

/** A deploy in the background, to kill or to race. */
function background(args: string[]): {
  child: ChildProcess;
  done: Promise<{ code: number | null; stderr: string }>;
} {
  const child = spawn(NODE, [BIN, ...args, SPEC, '--env', 'e2e', '--state-dir', STATE], {
    env: { ...process.env, ...cliEnv() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stdout?.on('data', (d) => outputs.push(String(d)));
  child.stderr?.on('data', (d) => {
    stderr += String(d);
  });
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on('close', (code) => {
      outputs.push(stderr);
      resolve({ code, stderr });
    }),
  );
  return { child, done };
}

/** Sets one env value of the spec (`APP_VERSION: v1` → `v2`), for web and the hook alike. */
function setEnv(key: string, value: string): void {
  const text = readFileSync(SPEC, 'utf8');
  const next = text.replace(new RegExp(`(\\n\\s+${key}: )("?)[^"\\n]*\\2`, 'g'), `$1"${value}"`);
  if (next === text) throw new Error(`${key} is not in the spec`);
  writeFileSync(SPEC, next);
}

async function webContainers(): Promise<string[]> {
  const r = await docker.docker([
    'ps',
    '--filter',
    `label=com.docker.compose.project=${PROJECT}`,
    '--filter',
    'label=com.docker.compose.service=web',
    '--format',
    '{{.Names}}',
  ]);
  return r.stdout.split('\n').filter(Boolean);
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const answer = () => getJson(port, HOST);

beforeAll(async () => {
  port = await freePort();
  cpSync(FIXTURE, APP, { recursive: true });
  writeFileSync(SPEC, readFileSync(SPEC, 'utf8').replace('127.0.0.1:18080:80', `127.0.0.1:${port}:80`));
  writeFileSync(join(APP, '.env'), `DB_PASSWORD=${PASSWORD}\n`);
});

afterAll(async () => {
  if (engine.ok) {
    await run('docker', ['compose', '-p', PROJECT, 'down', '-v', '-t', '1'], { env: cliEnv() });
    // The built images (BuildKit's cache keeps the layers, so the next run builds in a second).
    const images = await run(
      'docker',
      ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}', 'shopfront-web'],
      {
        env: cliEnv(),
      },
    );
    const refs = images.stdout.split('\n').filter(Boolean);
    if (refs.length > 0) await run('docker', ['image', 'rm', ...refs], { env: cliEnv() });
  }
  rmSync(WORK, { recursive: true, force: true });
}, 120_000);

describe('slipway deploy on a real Docker engine (compose)', () => {
  engine.it('prerequisites are checked before anything changes', async () => {
    const noEngine = await run(NODE, [BIN, 'deploy', SPEC, '--env', 'e2e', '--state-dir', STATE], {
      env: { ...cliEnv(), DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
    });
    expect(noEngine.code).toBe(3);
    expect(noEngine.stderr).toContain(
      'no Docker engine answers at DOCKER_HOST=unix:///nonexistent/docker.sock',
    );

    const env = join(APP, '.env');
    rmSync(env);
    const noSecrets = await slipway(['deploy']);
    expect(noSecrets.code).toBe(2);
    expect(noSecrets.stderr).toMatch(/the secret DB_PASSWORD has no value in .*\.env/);
    writeFileSync(env, `DB_PASSWORD=${PASSWORD}\n`);

    const squatter = createServer().listen(port, '127.0.0.1');
    await new Promise((r) => squatter.once('listening', r));
    try {
      const busy = await slipway(['deploy']);
      expect(busy.code).toBe(3);
      expect(busy.stderr).toContain(`port 127.0.0.1:${port} is already in use on this host`);
    } finally {
      await new Promise((r) => squatter.close(r));
    }
    // Nothing was started and no release was recorded.
    const ps = await docker.docker(['ps', '-aq', '--filter', `label=com.docker.compose.project=${PROJECT}`]);
    expect(ps.stdout.trim()).toBe('');
    expect(existsSync(join(STATE, 'shopfront/e2e/releases/1'))).toBe(false);
  });

  engine.it('fresh deploy: healthy, answering through the proxy, the pre-deploy hook ran first', async () => {
    const r = await slipway(['deploy', '--timeout', '3m']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /migrate: running the pre-deploy hook[\s\S]*web: starting[\s\S]*proxy: starting/,
    );
    expect(r.stderr).toMatch(/changed: cache, db, web, proxy/);
    expect(r.stdout).toContain(`deployed ${PROJECT} release 1`);
    const a = await answer();
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ version: 'v1', migrated: 'v1', postgres: 'ok', redis: 'ok' });
    // Images are tagged by content, never latest.
    const record = JSON.parse(readFileSync(join(STATE, 'shopfront/e2e/releases/1/release.json'), 'utf8'));
    expect(record.built.web).toMatch(/^shopfront-web:[0-9a-f]{12}$/);
    expect(record.imageIds.web).toMatch(/^sha256:[0-9a-f]{64}$/);
    const compose = readFileSync(join(STATE, 'shopfront/e2e/releases/1/compose.yaml'), 'utf8');
    expect(compose).not.toContain('build:');
    expect(compose).not.toContain(PASSWORD);

    const status = await slipway(['status']);
    expect(status.code, status.stderr).toBe(0);
    for (const svc of ['web', 'db', 'cache', 'proxy'])
      expect(status.stdout).toMatch(new RegExp(`^${svc}\\s+1\\s+healthy\\s+\\d+s`, 'm'));
    const json = await slipway(['status', '--output', 'json']);
    expect(JSON.parse(json.stdout).currentRelease).toBe(1);
  });

  engine.it('an unchanged deploy changes nothing and records no release', async () => {
    const before = await webContainers();
    const r = await slipway(['deploy']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('nothing changed since release 1');
    expect(await webContainers()).toEqual(before);
    const h = await slipway(['history', '--output', 'json']);
    expect(JSON.parse(h.stdout).releases).toHaveLength(1);
  });

  engine.it('config change under load: zero failed requests', async () => {
    setEnv('APP_VERSION', 'v2');
    const diff = await slipway(['diff']);
    expect(diff.code, diff.stderr).toBe(1);
    expect(diff.stdout).toMatch(/^~ migrate: environment$/m);
    expect(diff.stdout).toMatch(/^~ web: environment$/m);
    expect(diff.stdout).not.toMatch(/^~ (db|cache|proxy)/m);
    const load = startLoad(port, HOST, { concurrency: 4 });
    const r = await slipway(['deploy', '--timeout', '2m']);
    const report = await load.stop();
    console.info(
      `zero-downtime switch: ${report.ok} requests ok, ${report.failed} failed in ${(report.ms / 1000).toFixed(1)} s (versions seen: ${report.versions.join(' → ')})`,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/web: proxy switched to/);
    expect(report.failed, report.samples.join('\n')).toBe(0);
    expect(report.ok).toBeGreaterThan(50);
    expect(report.versions).toEqual(['v1', 'v2']);
    expect((await answer()).body).toMatchObject({ version: 'v2', migrated: 'v2' });
    expect(await webContainers()).toHaveLength(1);
    const same = await slipway(['diff']);
    expect(same.code, same.stdout).toBe(0);
    expect(same.stdout).toContain('no change in the compose project');
  });

  engine.it(
    'a failing health check: exit 3 with service, check and logs; the old release answers throughout',
    async () => {
      setEnv('APP_VERSION', 'v3');
      setEnv('HEALTH_FAIL', '1');
      const load = startLoad(port, HOST, { concurrency: 2 });
      const r = await slipway(['deploy', '--timeout', '12s']);
      const report = await load.stop();
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/service web: container shopfront-e2e-web-\d+ was not healthy/);
      expect(r.stderr).toMatch(/check: node -e fetch\('http:\/\/127\.0\.0\.1:3000\/healthz'/);
      expect(r.stderr).toMatch(/last log lines of shopfront-e2e-web-\d+:\n\s+version v3 listening/);
      expect(r.stderr).toMatch(/release 2 serves/);
      expect(report.failed, report.samples.join('\n')).toBe(0);
      expect(report.versions).toEqual(['v2']);
      expect((await answer()).body.version).toBe('v2');
      expect(await webContainers()).toHaveLength(1);
    },
  );

  engine.it('a crashing container: exit 3 naming the crash; the old release still answers', async () => {
    setEnv('HEALTH_FAIL', '0');
    setEnv('CRASH', '1');
    const r = await slipway(['deploy', '--timeout', '1m']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/service web: container shopfront-e2e-web-\d+ (crashed|exited)/);
    expect(r.stderr).toContain('CRASH=1, exiting');
    expect((await answer()).body.version).toBe('v2');
    const h = JSON.parse((await slipway(['history', '--output', 'json'])).stdout);
    expect(h.releases.map((x: any) => [x.revision, x.status])).toEqual([
      [4, 'rolled-back'],
      [3, 'rolled-back'],
      [2, 'deployed'],
      [1, 'superseded'],
    ]);
    setEnv('CRASH', '0');
  });

  engine.it('a failing pre-deploy hook changes nothing else', async () => {
    setEnv('MIGRATE_FAIL', '1');
    const before = await webContainers();
    const r = await slipway(['deploy', '--timeout', '1m']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /release 5 failed before any service changed\nservice migrate: the pre-deploy hook failed \(exit code 1\)/,
    );
    expect(r.stderr).toContain('migration to v3 failed: MIGRATE_FAIL=1');
    expect(r.stderr).toContain('release 2 keeps serving, unchanged');
    expect(await webContainers()).toEqual(before);
    expect((await answer()).body.version).toBe('v2');
    setEnv('MIGRATE_FAIL', '0');
  });

  engine.it('rollback --to 1, under load on kept-alive connections: zero failed requests', async () => {
    const load = startLoad(port, HOST, { concurrency: 4, keepAlive: true });
    const r = await slipway(['rollback', '--to', '1']);
    const report = await load.stop();
    console.info(
      `rollback switch, keep-alive clients: ${report.ok} requests ok, ${report.failed} failed (versions seen: ${report.versions.join(' → ')})`,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(report.failed, report.samples.join('\n')).toBe(0);
    expect(report.versions).toEqual(['v2', 'v1']);
    expect((await answer()).body.version).toBe('v1');
    const h = await slipway(['history', '--max', '2']);
    expect(h.stdout).toMatch(/^6\s+deployed\s.*rollback to 1$/m);
    expect(h.stdout).toMatch(/^5\s+failed/m);
    expect(h.stdout).not.toMatch(/^4\s/m);
    const back = await slipway(['rollback', '--to', '3']);
    expect(back.code).toBe(2);
    expect(back.stderr).toContain('release 3 never served');
  });

  engine.it('a concurrent deploy of the same environment is refused, naming who and when', async () => {
    setEnv('APP_VERSION', 'v5');
    const first = background(['deploy', '--timeout', '2m']);
    await until('the first deploy to take the lock', async () =>
      existsSync(join(STATE, 'shopfront/e2e/lock')),
    );
    const second = await slipway(['deploy']);
    expect(second.code).toBe(3);
    expect(second.stderr).toMatch(
      /another deploy of shopfront\/e2e is in progress: started \S+ by \S+@\S+ \(pid \d+\)/,
    );
    const done = await first.done;
    expect(done.code, done.stderr).toBe(0);
    expect((await answer()).body.version).toBe('v5');
  });

  engine.it('SIGKILL mid-deploy leaves nothing stuck: the next deploy recovers and converges', async () => {
    setEnv('APP_VERSION', 'v6');
    const killed = background(['deploy', '--timeout', '2m']);
    // Killed while the new container starts beside the old one, before the switch.
    await until('a second web container', async () => (await webContainers()).length >= 2);
    killed.child.kill('SIGKILL');
    await killed.done;
    expect(existsSync(join(STATE, 'shopfront/e2e/lock'))).toBe(true);
    // Still serving: the old release (or, had the switch just happened, the new one).
    const meanwhile = await answer();
    expect(meanwhile.status).toBe(200);
    expect(['v5', 'v6']).toContain(meanwhile.body.version);

    const r = await slipway(['deploy', '--timeout', '2m']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/did not finish \(its process \d+ is gone\); recovering/);
    expect((await answer()).body.version).toBe('v6');
    expect(await webContainers()).toHaveLength(1);
    const h = JSON.parse((await slipway(['history', '--output', 'json'])).stdout);
    const [latest, interrupted] = h.releases;
    expect(latest.status).toBe('deployed');
    expect(interrupted.status).toBe('failed');
    expect(interrupted.description).toContain('interrupted');
  });

  engine.it('--no-atomic keeps a failed release for debugging; the next deploy cleans it up', async () => {
    setEnv('APP_VERSION', 'v7');
    setEnv('HEALTH_FAIL', '1');
    const r = await slipway(['deploy', '--no-atomic', '--timeout', '8s']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('--no-atomic: left as it is');
    expect(await webContainers()).toHaveLength(2);
    expect((await answer()).body.version).toBe('v6');
    const h = JSON.parse((await slipway(['history', '--output', 'json'])).stdout);
    expect(h.releases[0].status).toBe('failed');

    setEnv('APP_VERSION', 'v6');
    setEnv('HEALTH_FAIL', '0');
    const again = await slipway(['deploy', '--timeout', '1m']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/is current, nothing to deploy/);
    expect(await webContainers()).toHaveLength(1);
    expect((await answer()).body.version).toBe('v6');
  });

  engine.it(
    'a changed env file (a rotated secret) is a new release, though the spec did not change',
    async () => {
      writeFileSync(join(APP, '.env'), `DB_PASSWORD=${PASSWORD}-rotated\n`);
      const r = await slipway(['deploy', '--timeout', '2m']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/the env file changed since release \d+: a new release applies it/);
      const h = JSON.parse((await slipway(['history', '--output', 'json'])).stdout);
      expect(h.releases[0]).toMatchObject({ status: 'deployed', description: 'env file changed' });
      expect((await answer()).body.version).toBe('v6');
      for (const o of outputs) expect(o).not.toContain(`${PASSWORD}-rotated`);
    },
  );

  engine.it(
    'a code change gets a new content tag; old images beyond SLIPWAY_KEEP_RELEASES are removed',
    async () => {
      const history = async () =>
        JSON.parse((await slipway(['history', '--output', 'json'])).stdout).releases;
      const [before] = await history();
      const server = join(APP, 'app', 'server.js');
      writeFileSync(server, `${readFileSync(server, 'utf8')}\n// a code change\n`);
      const r = await slipway(['deploy', '--timeout', '2m'], 300_000, { SLIPWAY_KEEP_RELEASES: '1' });
      expect(r.code, r.stderr).toBe(0);
      const [after] = await history();
      expect(after.images.web).toMatch(/^shopfront-web:[0-9a-f]{12}$/);
      expect(after.images.web).not.toBe(before.images.web);
      expect(r.stderr).toContain(`images of old releases removed: ${before.images.web}`);
      expect((await docker.docker(['image', 'inspect', before.images.web])).code).not.toBe(0);
      const back = await slipway(['rollback', '--to', String(before.revision)]);
      expect(back.code).toBe(3);
      expect(back.stderr).toContain(
        `the image ${before.images.web} of release ${before.revision} is no longer on this host`,
      );
      expect((await answer()).body.version).toBe('v6');
    },
  );

  engine.it(
    'a docker command failing mid-rollout (a bind mount that cannot be made) rolls back; the record ends rolled-back',
    async () => {
      const spec = readFileSync(SPEC, 'utf8');
      // cache is recreated first (a dependency), then its `up` fails: the engine refuses the mount.
      const broken = spec.replace(
        /(\n {8}- service: proxy\n)/,
        '\n        - service: cache\n          merge:\n            volumes:\n              - { type: bind, source: /nonexistent/slipway-e2e, target: /x, bind: { create_host_path: false } }$1',
      );
      expect(broken).not.toBe(spec);
      writeFileSync(SPEC, broken);
      setEnv('APP_VERSION', 'v8');
      try {
        const r = await slipway(['deploy', '--timeout', '1m']);
        expect(r.code).toBe(3);
        expect(r.stderr).toMatch(/service cache: starting cache failed/);
        expect(r.stderr).toMatch(
          /docker said:\n[\s\S]*bind source path does not exist: \/nonexistent\/slipway-e2e/,
        );
        expect(r.stderr).toMatch(/rolling back: release \d+ resumes serving/);
        expect(r.stderr).toMatch(/release \d+ serves/);
        expect(r.stderr).not.toMatch(/did not come back/);
        const h = JSON.parse((await slipway(['history', '--output', 'json'])).stdout);
        expect(h.releases[0].status).toBe('rolled-back');
        expect(h.releases[1].status).toBe('deployed');
        expect((await answer()).body).toMatchObject({ version: 'v6', redis: 'ok' });
      } finally {
        writeFileSync(SPEC, spec);
      }
    },
  );

  engine.it('promote and abort are usage errors on compose', async () => {
    for (const command of ['promote', 'abort']) {
      const r = await slipway([command]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${command} is a Kubernetes blue-green step`);
    }
  });

  engine.it(
    'down keeps the volumes, an unchanged deploy brings it back; down --volumes deletes them',
    async () => {
      const volumes = async () =>
        (
          await docker.docker([
            'volume',
            'ls',
            '--filter',
            `label=com.docker.compose.project=${PROJECT}`,
            '--format',
            '{{.Name}}',
          ])
        ).stdout
          .split('\n')
          .filter(Boolean);
      const r = await slipway(['down']);
      expect(r.code, r.stderr).toBe(0);
      expect(await webContainers()).toHaveLength(0);
      expect(await volumes()).toContain(`${PROJECT}_db-data`);
      const status = await slipway(['status']);
      expect(status.stdout).toMatch(/^web\s+not running/m);
      // An unchanged deploy brings the current release back, without a new release.
      const again = await slipway(['deploy', '--timeout', '2m']);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toMatch(/release \d+ is current, nothing to deploy/);
      expect(again.stderr).toMatch(/restarted: .*web.*proxy/);
      expect((await answer()).body).toMatchObject({ version: 'v6', postgres: 'ok', redis: 'ok' });
      const gone = await slipway(['down', '--volumes']);
      expect(gone.code, gone.stderr).toBe(0);
      expect(await volumes()).toEqual([]);
    },
  );

  engine.it('no output ever contained the database password', () => {
    expect(outputs.length).toBeGreaterThan(10);
    for (const o of outputs) expect(o).not.toContain(PASSWORD);
  });
});
