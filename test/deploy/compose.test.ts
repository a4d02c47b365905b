/**
 * The compose driver's pure parts: the rollout plan and start order, the proxy's live routes,
 * published ports, image repositories, the diff, the lock's staleness rules, secret masking. The
 * engine-facing behaviour is proven on a real Docker engine in test/e2e/compose-deploy.test.ts.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EngineError } from '../../src/cli/errors.ts';
import { applyRelease } from '../../src/deploy/compose/apply.ts';
import {
  type ComposeObject,
  redactor,
  releaseCompose,
  repository,
  secretValues,
} from '../../src/deploy/compose/bundle.ts';
import { pathsFor } from '../../src/deploy/compose/deploy.ts';
import { composeChanges } from '../../src/deploy/compose/diff.ts';
import { Engine } from '../../src/deploy/compose/engine.ts';
import { withFsErrors } from '../../src/deploy/compose/fs-errors.ts';
import { checkText, commandFailure, formatFailure } from '../../src/deploy/compose/health.ts';
import { imagesToPrune } from '../../src/deploy/compose/images.ts';
import {
  acquireLock,
  type LockHolder,
  processStart,
  staleness,
  takeOver,
} from '../../src/deploy/compose/lock.ts';
import { type PlannedService, rolloutPlan, seconds, startOrder } from '../../src/deploy/compose/plan.ts';
import { publishedPorts } from '../../src/deploy/compose/prerequisites.ts';
import { liveCaddyfile, liveUpstreams, routedServices } from '../../src/deploy/compose/proxy-switch.ts';
import {
  type ReleaseRecord,
  ReleaseStore,
  summaries,
  unreadableWarnings,
} from '../../src/deploy/compose/releases.ts';
import { ensureStateDirs, statePaths, stateRoot, writeAtomic } from '../../src/deploy/compose/state.ts';
import { uptime } from '../../src/deploy/compose/status.ts';
import type { DeployTarget } from '../../src/deploy/driver.ts';
import { resolveEnvironment } from '../../src/model/resolve.ts';
import { renderCompose } from '../../src/render/compose/index.ts';
import { loadSpecFile } from '../../src/spec/loader.ts';

const TMP = mkdtempSync(join(tmpdir(), 'slipway-deploy-unit-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

function fixture() {
  const r = loadSpecFile('test/e2e/fixtures/compose-app/slipway.yaml');
  if (!r.loaded) throw new Error('fixture does not load');
  const model = resolveEnvironment(r.loaded.spec, 'e2e');
  const render = renderCompose(model, { files: new Map() });
  const compose = parse(render.files.find((f) => f.path === 'compose.yaml')?.content ?? '') as ComposeObject;
  const caddyfile = render.files.find((f) => f.path === 'Caddyfile')?.content ?? '';
  return { model, compose, caddyfile };
}

describe('rollout plan', () => {
  it('gives each service its role, the proxy last, hooks with their settings', () => {
    const { model, compose } = fixture();
    const plan = rolloutPlan(model, compose);
    expect(plan.proxy).toBe('proxy');
    const roles = Object.fromEntries(plan.services.map((s) => [s.name, s.role]));
    expect(roles).toEqual({
      cache: 'dependency',
      db: 'dependency',
      migrate: 'hook',
      web: 'app',
      proxy: 'proxy',
    });
    const names = plan.services.map((s) => s.name);
    expect(names.at(-1)).toBe('proxy');
    expect(names.indexOf('web')).toBeGreaterThan(names.indexOf('db'));
    expect(names.indexOf('web')).toBeGreaterThan(names.indexOf('migrate'));
    const web = plan.services.find((s) => s.name === 'web');
    expect(web).toMatchObject({ proxied: true, replicas: 1, graceSeconds: 10 });
    expect(plan.services.find((s) => s.name === 'migrate')?.hook).toMatchObject({
      phase: 'pre-deploy',
      deadlineSeconds: 120,
    });
  });

  it('never starts a plain job or a cron job, and has no proxy without routes', () => {
    const { model, compose } = fixture();
    const migrate = model.services.find((s) => s.name === 'migrate');
    if (migrate) delete migrate.hook;
    const plan = rolloutPlan(model, compose);
    expect(plan.services.find((s) => s.name === 'migrate')?.role).toBe('job');
    model.ingress = undefined;
    const { proxy: _proxy, ...services } = compose.services;
    const bare = rolloutPlan(model, { services });
    expect(bare.proxy).toBeUndefined();
    expect(bare.services.find((s) => s.name === 'web')?.proxied).toBe(false);
  });

  it('orders by depends_on whatever the input order, and survives a cycle', () => {
    const s = (name: string, dependsOn: string[], role: PlannedService['role'] = 'app'): PlannedService => ({
      name,
      role,
      replicas: 1,
      proxied: false,
      dependsOn,
      graceSeconds: 10,
    });
    const order = startOrder([s('proxy', ['a'], 'proxy'), s('a', ['b']), s('b', ['c']), s('c', [])]);
    expect(order.map((x) => x.name)).toEqual(['c', 'b', 'a', 'proxy']);
    const cyclic = startOrder([s('x', ['y']), s('y', ['x'])]);
    expect(cyclic.map((x) => x.name).sort()).toEqual(['x', 'y']);
  });

  it('reads compose durations', () => {
    expect(seconds('30s')).toBe(30);
    expect(seconds('1m30s')).toBe(90);
    expect(seconds('1h')).toBe(3600);
    expect(seconds('1500ms')).toBe(2);
    expect(seconds(undefined)).toBeUndefined();
  });
});

describe('the proxy switch', () => {
  it('routes the rendered Caddyfile to container names, leaving every other line alone', () => {
    const { caddyfile } = fixture();
    expect(routedServices(caddyfile)).toEqual(['web']);
    const live = liveCaddyfile(caddyfile, new Map([['web', ['shopfront-e2e-web-2', 'shopfront-e2e-web-3']]]));
    expect(live).toContain('reverse_proxy shopfront-e2e-web-2:3000 shopfront-e2e-web-3:3000\n');
    expect(live).not.toMatch(/reverse_proxy web:/);
    const strip = (t: string) => t.split('\n').filter((l) => !l.includes('reverse_proxy'));
    expect(strip(live)).toEqual(strip(caddyfile));
    // A service without running containers keeps the service name (compose's DNS).
    expect(liveCaddyfile(caddyfile, new Map())).toBe(caddyfile);
  });

  it('tells which containers the live file routes to', () => {
    const file = join(TMP, 'Caddyfile');
    writeFileSync(file, 'x {\n\treverse_proxy app-web-12:3000\n}\n');
    expect(liveUpstreams(file, ['app-web-1', 'app-web-12', 'app-web-2'])).toEqual(['app-web-12']);
    expect(liveUpstreams(join(TMP, 'missing'), ['app-web-1'])).toEqual([]);
  });
});

describe('release files', () => {
  it('replaces built images by their content tag and drops build sections', () => {
    const { compose } = fixture();
    const out = releaseCompose(compose, new Map([['web', 'shopfront-web:0123456789ab']]));
    expect(out.services.web?.image).toBe('shopfront-web:0123456789ab');
    expect(out.services.web?.build).toBeUndefined();
    expect(out.services.migrate?.build).toBeUndefined();
    expect(out.services.db?.image).toBe('local/postgres:15');
    expect(compose.services.web?.build).toBeDefined();
  });

  it('names image repositories, under another registry when asked', () => {
    expect(repository('ghcr.io/acme/shop-web:1.0.0')).toBe('ghcr.io/acme/shop-web');
    expect(repository('localhost:5000/shop-web')).toBe('localhost:5000/shop-web');
    expect(repository('shop-web:1@sha256:abc')).toBe('shop-web');
    expect(repository('ghcr.io/acme/shop-web:1.0.0', 'registry.example.com/team/')).toBe(
      'registry.example.com/team/shop-web',
    );
  });

  it('lists the host ports a project publishes, in every syntax', () => {
    const ports = publishedPorts({
      name: 'p',
      services: {
        a: { ports: ['127.0.0.1:8080:80', '443:443/udp', '80:80', '3000'] },
        b: { ports: [{ target: 80, published: '9090', host_ip: '127.0.0.1' }, '127.0.0.1:7000-7001:7000'] },
      },
    });
    expect(ports).toEqual([
      { host: '127.0.0.1', port: 8080, protocol: 'tcp' },
      { host: '0.0.0.0', port: 443, protocol: 'udp' },
      { host: '0.0.0.0', port: 80, protocol: 'tcp' },
      { host: '127.0.0.1', port: 9090, protocol: 'tcp' },
      { host: '127.0.0.1', port: 7000, protocol: 'tcp' },
      { host: '127.0.0.1', port: 7001, protocol: 'tcp' },
    ]);
  });

  it('diffs service by service, ignoring built images', () => {
    const { compose } = fixture();
    const next = structuredClone(compose);
    (next.services.web?.environment as Record<string, string>).APP_VERSION = 'v2';
    next.services.web = { ...next.services.web, image: 'other:tag' };
    delete next.services.cache;
    const changes = composeChanges(next, compose, new Set(['web', 'migrate']));
    expect(changes).toEqual([
      { service: 'cache', change: 'removed', keys: [] },
      { service: 'web', change: 'changed', keys: ['environment'] },
    ]);
    expect(composeChanges(compose, compose, new Set())).toEqual([]);
  });
});

describe('secrets in output', () => {
  it('masks every value of the env file', () => {
    const env = join(TMP, '.env');
    writeFileSync(
      env,
      '# comment\nDB_PASSWORD=hunter2hunter2\nexport API_KEY="sk-quoted-value"\nEMPTY=\nSHORT=ab\n',
    );
    const values = secretValues(env);
    expect(values).toEqual(['sk-quoted-value', 'hunter2hunter2']);
    const mask = redactor(values);
    expect(mask('postgres://u:hunter2hunter2@db/x key=sk-quoted-value')).toBe(
      'postgres://u:***@db/x key=***',
    );
    expect(secretValues(join(TMP, 'none'))).toEqual([]);
  });

  it('formats a failure with the service, the check, its last result and the logs', () => {
    expect(checkText(['CMD', 'pg_isready', '-U', 'x'])).toBe('pg_isready -U x');
    expect(checkText(['CMD-SHELL', 'redis-cli ping | grep -q PONG'])).toBe('redis-cli ping | grep -q PONG');
    const text = formatFailure({
      service: 'web',
      container: 'p-web-2',
      reason: 'container p-web-2 is unhealthy',
      check: 'node -e …',
      lastResult: 'exit 1: refused',
      logs: 'line one\nline two',
    });
    expect(text).toBe(
      'service web: container p-web-2 is unhealthy\n  check: node -e …\n  last result: exit 1: refused\n  last log lines of p-web-2:\n    line one\n    line two',
    );
  });
});

describe('the deploy lock', () => {
  const holder = (over: Partial<LockHolder>): LockHolder => ({
    pid: process.pid,
    pidStart: processStart(process.pid),
    host: hostname(),
    user: 'someone',
    command: 'deploy',
    startedAt: new Date().toISOString(),
    ...over,
  });

  it('holds while its process lives, and is stale once it is gone or recycled', () => {
    expect(staleness(holder({}))).toBeUndefined();
    expect(staleness(holder({ pid: 2 ** 22 + 17 }))).toMatch(/is gone/);
    expect(staleness(holder({ pidStart: '1' }))).toMatch(/belongs to another process/);
  });

  it('trusts a lock from another host until it is hours old', () => {
    expect(staleness(holder({ host: 'elsewhere', pid: 1 }))).toBeUndefined();
    const old = new Date(Date.now() - 7 * 3600_000).toISOString();
    expect(staleness(holder({ host: 'elsewhere', startedAt: old }))).toMatch(/7 h old, from host elsewhere/);
  });

  it('refuses a second holder naming the first, and takes over a dead one', () => {
    const path = join(TMP, 'lock');
    const first = acquireLock(path, 'deploy', 'shop/prod');
    expect(() => acquireLock(path, 'deploy', 'shop/prod')).toThrow(EngineError);
    expect(() => acquireLock(path, 'deploy', 'shop/prod')).toThrow(
      /another deploy of shop\/prod is in progress: started .* by .*@.* \(pid \d+\)/,
    );
    first.release();
    writeFileSync(path, JSON.stringify(holder({ pid: 2 ** 22 + 17 })));
    const second = acquireLock(path, 'rollback', 'shop/prod');
    expect(second.takenOver?.why).toMatch(/is gone/);
    expect(JSON.parse(readFileSync(path, 'utf8')).command).toBe('rollback');
    expect(readdirSync(TMP).filter((n) => n.startsWith('lock.stale-'))).toEqual([]);
    second.release();
    expect(existsSync(path)).toBe(false);
  });

  it('takes a stale lock over only if it is still the one judged stale; otherwise backs off', () => {
    const path = join(TMP, 'race-lock');
    const stale = holder({ pid: 2 ** 22 + 17 });
    // Another process took it over between our read and our move: its fresh lock is there now.
    const winner = holder({ pid: 2 ** 22 + 18, startedAt: new Date(Date.now() + 1000).toISOString() });
    writeFileSync(path, JSON.stringify(winner));
    expect(takeOver(path, stale)).toBe(false);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(winner);
    expect(readdirSync(TMP).filter((n) => n.startsWith('race-lock.stale-'))).toEqual([]);
    // Still the stale one: moved aside and gone.
    writeFileSync(path, JSON.stringify(stale));
    expect(takeOver(path, stale)).toBe(true);
    expect(existsSync(path)).toBe(false);
    // Already gone (another process removed it): the next attempt decides.
    expect(takeOver(path, stale)).toBe(true);
  });

  it('release removes the lock only while it is still ours', () => {
    const path = join(TMP, 'own-lock');
    const mine = acquireLock(path, 'deploy', 'shop/prod');
    // Judged stale (this process was thought gone) and taken over by another deploy meanwhile.
    const theirs = holder({ pid: 2 ** 22 + 19, command: 'rollback' });
    writeFileSync(path, JSON.stringify(theirs));
    mine.release();
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(theirs);
    rmSync(path);
  });
});

describe('state and status', () => {
  it('finds the state root: flag, then $SLIPWAY_STATE_DIR, then XDG, then ~/.local/state', () => {
    expect(stateRoot('/x')).toBe('/x');
    expect(stateRoot(undefined, { SLIPWAY_STATE_DIR: '/s' })).toBe('/s');
    expect(stateRoot(undefined, { XDG_STATE_HOME: '/xdg' })).toBe('/xdg/slipway');
    expect(stateRoot(undefined, {})).toMatch(/\.local\/state\/slipway$/);
    expect(statePaths('/r', 'shop', 'prod').liveCaddyfile).toBe('/r/shop/prod/live/Caddyfile');
  });

  it('shows uptime compactly', () => {
    expect(uptime(12)).toBe('12s');
    expect(uptime(250)).toBe('4m10s');
    expect(uptime(7500)).toBe('2h5m');
    expect(uptime(3 * 86400 + 4 * 3600)).toBe('3d4h');
  });
});

describe('release history', () => {
  const record = (revision: number, status: ReleaseRecord['status'], web: string): ReleaseRecord => ({
    revision,
    status,
    specHash: `hash${revision}`,
    images: { web, db: 'postgres:17' },
    user: 'ana@host',
    startedAt: `2026-01-0${revision}T10:00:00.000Z`,
    description: 'upgrade',
    project: 'shop-prod',
    plan: { services: [] },
    built: { web },
    imageIds: {},
    configHashes: {},
    pid: 1,
  });

  it('keeps the images of the current release and of the newest that served', () => {
    const records = [
      record(1, 'superseded', 'web:a'),
      record(2, 'superseded', 'web:b'),
      record(3, 'failed', 'web:c'),
      record(4, 'superseded', 'web:b'),
      record(5, 'deployed', 'web:d'),
    ];
    expect(imagesToPrune(records, 5, 2)).toEqual(['web:a', 'web:c']);
    expect(imagesToPrune(records, 5, 5)).toEqual(['web:c']);
    // After a rollback to 1, release 1's image is the current one's.
    expect(imagesToPrune([...records, record(6, 'deployed', 'web:a')], 6, 1)).toEqual([
      'web:b',
      'web:c',
      'web:d',
    ]);
    expect(imagesToPrune([...records, record(6, 'deployed', 'web:a')], 6, 2)).toEqual(['web:b', 'web:c']);
  });

  it('records releases, promotes one at a time and numbers them', () => {
    const store = new ReleaseStore(statePaths(join(TMP, 'state'), 'shop', 'prod'));
    expect(store.list()).toEqual([]);
    expect(store.current()).toBeUndefined();
    expect(store.nextRevision()).toBe(1);
    const first = record(1, 'pending', 'web:a');
    store.create(first, { compose: 'name: shop-prod\n', caddyfile: 'x {}\n' });
    store.promote(first);
    const second = record(2, 'pending', 'web:b');
    store.create(second, { compose: 'name: shop-prod\n' });
    expect(store.nextRevision()).toBe(3);
    store.promote(second);
    expect(store.currentRevision()).toBe(2);
    expect(store.list().map((r) => [r.revision, r.status])).toEqual([
      [1, 'superseded'],
      [2, 'deployed'],
    ]);
    expect(store.files(1)).toEqual({ compose: 'name: shop-prod\n', caddyfile: 'x {}\n' });
    expect(store.files(2).caddyfile).toBeUndefined();
    store.finish(second, 'rolled-back', 'web: container shop-web-2 is unhealthy');
    expect(summaries(store.list())[1]?.description).toBe('upgrade — web: container shop-web-2 is unhealthy');
  });

  it('warns, naming the file, when a release record cannot be read — loudly when it is the current one', () => {
    const store = new ReleaseStore(statePaths(join(TMP, 'damaged'), 'shop', 'prod'));
    for (const n of [1, 2, 3]) {
      const r = record(n, 'pending', `web:${n}`);
      store.create(r, { compose: 'name: shop-prod\n' });
      store.promote(r);
    }
    mkdirSync(store.dir(4)); // a release being written: no record yet, no warning
    expect(unreadableWarnings(store)).toEqual([]);
    writeFileSync(join(store.dir(1), 'release.json'), '{"revision": 1,');
    writeFileSync(join(store.dir(3), 'release.json'), '');
    expect(store.list().map((r) => r.revision)).toEqual([2]);
    expect(store.current()).toBeUndefined();
    const [first, current] = unreadableWarnings(store);
    expect(first).toContain(`warning: ${join(store.dir(1), 'release.json')} cannot be read (`);
    expect(first).toContain('release 1 is left out of the history');
    expect(current).toContain(`the record of the current release 3 (${join(store.dir(3), 'release.json')})`);
    expect(current).toContain('an install with no release to roll back to');
  });
});

describe('a docker command failing mid-rollout', () => {
  // A stand-in for the docker CLI that answers like the engine when a bind mount cannot be made:
  // the project reads fine, nothing runs yet, and every `up` is refused. (The real engine case is
  // in test/e2e/compose-deploy.test.ts.)
  const bin = join(TMP, 'docker-up-fails');
  writeFileSync(
    bin,
    `#!/bin/sh
case "$*" in
  *"config --hash"*) [ -n "$FAIL_CONFIG" ] && { echo "config refused" >&2; exit 1; }; echo "cache h-new" ;;
  *" up "*) echo "Error response from daemon: invalid mount config for type bind: bind source path does not exist: /nope" >&2; exit 1 ;;
esac
exit 0
`,
    { mode: 0o755 },
  );
  const plan = {
    services: [
      {
        name: 'cache',
        role: 'dependency' as const,
        replicas: 1,
        proxied: false,
        dependsOn: [],
        graceSeconds: 1,
      },
    ],
  };
  const rec = (revision: number): ReleaseRecord => ({
    revision,
    status: 'pending',
    specHash: `h${revision}`,
    images: {},
    user: 'ana@host',
    startedAt: '2026-01-01T10:00:00.000Z',
    description: 'upgrade',
    project: 'shop-prod',
    plan,
    built: {},
    imageIds: {},
    configHashes: {},
    pid: 1,
  });
  const setup = (name: string) => {
    const paths = statePaths(join(TMP, name), 'shop', 'prod');
    const store = new ReleaseStore(paths);
    const lines: string[] = [];
    const io = {
      out: (s: string) => lines.push(s),
      err: (s: string) => lines.push(s),
      color: false,
      format: 'text' as const,
    };
    return { paths, store, io, lines };
  };
  const opts = { timeoutSeconds: 5, atomic: true, hooks: true, drainMs: 0 };

  it('rolls back like a failed health check; the record ends rolled-back, not pending', async () => {
    const { paths, store, io, lines } = setup('up-fails');
    const previous = rec(1);
    store.create(previous, { compose: 'services:\n  cache:\n    image: redis:7\n' });
    store.promote(previous);
    const next = rec(2);
    store.create(next, { compose: 'services:\n  cache:\n    image: redis:7\n    volumes: [/nope:/x]\n' });
    const code = await applyRelease(new Engine((s) => s, bin), io, paths, next, undefined, previous, opts);
    expect(code).toBe(3);
    expect(store.get(2)?.status).toBe('rolled-back');
    expect(store.get(2)?.failure).toBe('cache: starting cache failed');
    expect(store.current()?.revision).toBe(1);
    const text = lines.join('');
    expect(text).toContain(
      'service cache: starting cache failed\n  docker said:\n    Error response from daemon',
    );
    expect(text).toContain('rolling back: release 1 resumes serving');
    expect(text).toContain('release 1 did not come back either');
  });

  it('ends failed when there is nothing to roll back to, or when the release cannot even be read', async () => {
    const { paths, store, io } = setup('first-fails');
    const first = rec(1);
    store.create(first, { compose: 'services:\n  cache:\n    image: redis:7\n' });
    expect(await applyRelease(new Engine((s) => s, bin), io, paths, first, undefined, undefined, opts)).toBe(
      3,
    );
    expect(store.get(1)?.status).toBe('failed');

    const second = rec(2);
    store.create(second, { compose: 'services:\n  cache:\n    image: redis:7\n' });
    process.env.FAIL_CONFIG = '1';
    try {
      await expect(
        applyRelease(new Engine((s) => s, bin), io, paths, second, undefined, undefined, opts),
      ).rejects.toBeInstanceOf(EngineError);
    } finally {
      delete process.env.FAIL_CONFIG;
    }
    expect(store.get(2)?.status).toBe('failed');
  });

  it('turns only engine errors into failures', () => {
    expect(commandFailure('web', new EngineError('starting web failed', 'no such image'))).toEqual({
      service: 'web',
      reason: 'starting web failed',
      output: 'no such image',
    });
    expect(() => commandFailure('web', new TypeError('bug'))).toThrow(TypeError);
  });
});

describe('filesystem failures on the state folder', () => {
  const blocker = join(TMP, 'blocker');
  writeFileSync(blocker, 'a file where the state folder should be\n');

  it('a failed atomic write names the path and leaves no temporary file', () => {
    const dir = join(TMP, 'atomic');
    mkdirSync(join(dir, 'current'), { recursive: true });
    writeFileSync(join(dir, 'current', 'x'), 'x');
    expect(() => writeAtomic(join(dir, 'current'), '3\n')).toThrow(EngineError);
    expect(() => writeAtomic(join(dir, 'current'), '3\n')).toThrow(
      `could not rename ${join(dir, 'current')}: a folder stands where a file is expected (EISDIR)`,
    );
    expect(readdirSync(dir)).toEqual(['current']);
  });

  it('a file in the way of the state folder or the lock is an error naming it, with a hint', () => {
    const paths = statePaths(blocker, 'shop', 'prod');
    let err: unknown;
    try {
      ensureStateDirs(paths);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).message).toContain(paths.live);
    expect((err as EngineError).message).toContain('a file stands where a folder is expected (ENOTDIR)');
    expect((err as EngineError).detail).toContain('--state-dir');
    expect(() => acquireLock(join(blocker, 'lock'), 'deploy', 'shop/prod')).toThrow(
      `could not open ${join(blocker, 'lock')}: a file stands where a folder is expected (ENOTDIR)`,
    );
  });

  it('read-only commands create nothing; any command maps a full disk or a permission error', async () => {
    const root = join(TMP, 'never-created');
    const target = { model: { app: { name: 'shop' } }, env: 'prod' } as unknown as DeployTarget;
    expect(pathsFor(target, root).releases).toBe(join(root, 'shop', 'prod', 'releases'));
    expect(existsSync(root)).toBe(false);
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), {
      code: 'ENOSPC',
      syscall: 'write',
      path: '/state/shop/prod/releases/4/release.json',
    });
    await expect(withFsErrors(() => Promise.reject(full))).rejects.toThrow(
      'could not write /state/shop/prod/releases/4/release.json: the disk is full (ENOSPC)',
    );
    const denied = Object.assign(new Error('EACCES'), {
      code: 'EACCES',
      syscall: 'open',
      path: '/state/lock',
    });
    expect(commandFailure('web', denied)).toMatchObject({
      service: 'web',
      reason: 'could not open /state/lock: permission denied (EACCES)',
    });
    const bug = new TypeError('x is undefined');
    await expect(withFsErrors(() => Promise.reject(bug))).rejects.toBe(bug);
  });
});
