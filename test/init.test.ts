/** `slipway init`: what it detects in a folder, that what it writes always validates, and the CLI around it. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { folderReader, initCommand } from '../src/cli/commands/init.ts';
import { UsageError } from '../src/cli/errors.ts';
import type { Io } from '../src/cli/output.ts';
import { type DetectOptions, detectApp } from '../src/init/detect.ts';
import { parseToml } from '../src/init/toml.ts';
import { assertValidSpec, renderSpec, SCHEMA_COMMENT } from '../src/init/write-spec.ts';
import { parseSpec } from '../src/spec/loader.ts';
import type { ServiceSpec, Spec } from '../src/spec/schema.ts';

const NODE = join(process.cwd(), 'node_modules/.bin/node');
const BIN = join(process.cwd(), 'bin/slipway.js');

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-init-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

/** Detect, render, and load the result back as any command would. */
function init(files: Record<string, string>, opts: DetectOptions = {}) {
  const dir = folder(files);
  const detection = detectApp(folderReader(dir), { folderName: basename(dir), ...opts });
  const text = renderSpec(detection);
  const result = parseSpec('slipway.yaml', text, { fileExists: () => true });
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  return { dir, detection, text, result, errors, spec: result.loaded?.spec as Spec };
}

const pkg = (o: Record<string, unknown>) => JSON.stringify(o);
const ref = (path: string) => `\${${path}}`;

interface Expected {
  stack: string;
  services: Record<
    string,
    Partial<Pick<ServiceSpec, 'kind'>> & { preset?: string; port?: number; dockerfile?: string }
  >;
  dependencies?: Record<string, 'postgres' | 'redis'>;
  versions?: Record<string, string>;
  env?: Record<string, Record<string, string>>;
  build?: Record<string, Record<string, string>>;
  health?: Record<string, string>;
  command?: Record<string, string[]>;
  hooks?: string[];
  warnings?: number;
  notes?: boolean;
  textHas?: string[];
}

const CASES: { name: string; files: Record<string, string>; expect: Expected }[] = [
  {
    name: 'Next.js from the next dependency, with postgres through an ORM',
    files: {
      'package.json': pkg({ name: 'shop', dependencies: { next: '15', react: '19', '@prisma/client': '6' } }),
    },
    expect: {
      stack: 'nextjs',
      services: { web: { kind: 'web', preset: 'nextjs', port: 3000 } },
      dependencies: { db: 'postgres' },
      env: { web: { DATABASE_URL: ref('dependencies.db.url') } },
    },
  },
  {
    name: 'Next.js from next.config.mjs alone, with a db:migrate pre-deploy job',
    files: {
      'package.json': pkg({
        name: 'blog',
        scripts: { 'db:migrate': 'knex migrate:latest' },
        dependencies: { knex: '3' },
      }),
      'next.config.mjs': 'export default {};\n',
    },
    expect: {
      stack: 'nextjs',
      services: { web: { preset: 'nextjs', port: 3000 }, migrate: { kind: 'job', preset: 'nextjs' } },
      dependencies: { db: 'postgres' },
      command: { migrate: ['npm', 'run', 'db:migrate'] },
      hooks: ['migrate'],
    },
  },
  {
    name: 'Vite single-page app with a build script is static',
    files: {
      'package.json': pkg({ name: 'spa', scripts: { build: 'vite build' }, devDependencies: { vite: '6' } }),
    },
    expect: { stack: 'static', services: { web: { preset: 'static', port: 8080 } } },
  },
  {
    name: 'Create React App is static, served from build/',
    files: {
      'package.json': pkg({
        name: 'cra',
        scripts: { build: 'react-scripts build' },
        dependencies: { 'react-scripts': '5' },
      }),
    },
    expect: {
      stack: 'static',
      services: { web: { preset: 'static', port: 8080 } },
      build: { web: { outputDir: 'build' } },
    },
  },
  {
    name: 'Vite with an express server is a node server, not static',
    files: {
      'package.json': pkg({
        name: 'ssr',
        scripts: { build: 'vite build', start: 'node server.js' },
        dependencies: { express: '5' },
        devDependencies: { vite: '6' },
      }),
    },
    expect: { stack: 'node', services: { web: { preset: 'node', port: 3000 } } },
  },
  {
    name: 'express reads its port from a PORT default in the entry file; ioredis means redis',
    files: {
      'package.json': pkg({
        name: 'api',
        main: 'server.js',
        scripts: { start: 'node server.js' },
        dependencies: { express: '5', ioredis: '5' },
      }),
      'server.js': 'const port = process.env.PORT || 4000;\napp.listen(port);\n',
    },
    expect: {
      stack: 'node',
      services: { web: { preset: 'node', port: 4000 } },
      dependencies: { cache: 'redis' },
      env: { web: { REDIS_URL: ref('dependencies.cache.url') } },
    },
  },
  {
    name: 'fastify + bullmq with a worker script and a migrate script: web, worker and pre-deploy job',
    files: {
      'package.json': pkg({
        name: 'queue-app',
        scripts: { start: 'node dist/index.js', worker: 'node dist/worker.js', migrate: 'node migrate.js' },
        dependencies: { fastify: '5', bullmq: '5', pg: '8' },
      }),
      'src/index.ts': 'await app.listen({ port: 8081, host: "0.0.0.0" });\n',
    },
    expect: {
      stack: 'node',
      services: {
        web: { kind: 'web', preset: 'node', port: 8081 },
        worker: { kind: 'worker', preset: 'node' },
        migrate: { kind: 'job', preset: 'node' },
      },
      dependencies: { db: 'postgres', cache: 'redis' },
      env: {
        worker: { REDIS_URL: ref('dependencies.cache.url'), DATABASE_URL: ref('dependencies.db.url') },
      },
      command: { worker: ['npm', 'run', 'worker'], migrate: ['npm', 'run', 'migrate'] },
      hooks: ['migrate'],
      textHas: ['# queueScaling:', '#   dependency: cache'],
    },
  },
  {
    name: 'bull with src/worker.ts and no worker script',
    files: {
      'package.json': pkg({ name: 'jobs', dependencies: { koa: '2', bull: '4' } }),
      'src/worker.ts': 'queue.process(() => {});\n',
    },
    expect: {
      stack: 'node',
      services: { web: { preset: 'node' }, worker: { kind: 'worker' } },
      dependencies: { cache: 'redis' },
      command: { worker: ['node', 'src/worker.ts'] },
    },
  },
  {
    name: 'FastAPI from requirements.txt: uvicorn on 8000, postgres and redis',
    files: {
      'requirements.txt':
        '# api\nfastapi==0.115.0\nuvicorn[standard]>=0.30\npsycopg2-binary==2.9.9  # db\nredis>=5\n-r dev.txt\n',
      'app/main.py': 'from fastapi import FastAPI\n\napp = FastAPI()\n',
    },
    expect: {
      stack: 'python',
      services: { web: { preset: 'python', port: 8000 } },
      dependencies: { db: 'postgres', cache: 'redis' },
      build: { web: { server: 'uvicorn', module: 'app.main:app' } },
      env: { web: { DATABASE_URL: ref('dependencies.db.url'), REDIS_URL: ref('dependencies.cache.url') } },
    },
  },
  {
    name: 'Django from a poetry pyproject.toml: gunicorn, module from manage.py, migrate job',
    files: {
      'pyproject.toml': [
        '[tool.poetry]',
        'name = "Mysite"',
        '',
        '[tool.poetry.dependencies]',
        'python = "^3.12"',
        'Django = "^5.0"',
        'psycopg = { version = "^3.2", extras = ["binary"] }',
        '',
      ].join('\n'),
      'manage.py': "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n",
    },
    expect: {
      stack: 'python',
      services: { web: { preset: 'python', port: 8000 }, migrate: { kind: 'job' } },
      dependencies: { db: 'postgres' },
      build: {
        web: {
          server: 'gunicorn',
          module: 'mysite.wsgi:application',
          install: 'pip install --no-cache-dir .',
        },
      },
      command: { migrate: ['python', 'manage.py', 'migrate', '--noinput'] },
      hooks: ['migrate'],
    },
  },
  {
    name: 'Flask from a PEP 621 pyproject.toml with sqlalchemy and celery',
    files: {
      'pyproject.toml': [
        '[project]',
        'name = "notes"',
        'dependencies = [',
        '  "flask>=3",  # web',
        '  "SQLAlchemy[asyncio]>=2",',
        '  "celery>=5",',
        ']',
        '',
      ].join('\n'),
      'app.py': 'from flask import Flask\napp = Flask(__name__)\n',
    },
    expect: {
      stack: 'python',
      services: { web: { preset: 'python', port: 8000 } },
      dependencies: { db: 'postgres', cache: 'redis' },
      build: { web: { server: 'gunicorn', module: 'app:app' } },
      notes: true,
    },
  },
  {
    name: 'a Dockerfile alone: its EXPOSE port and HEALTHCHECK path',
    files: {
      Dockerfile: [
        'FROM golang:1.23 AS build',
        'EXPOSE 9999',
        'FROM gcr.io/distroless/base',
        'EXPOSE 5000/tcp',
        'HEALTHCHECK --interval=30s \\',
        '  CMD wget -qO- http://127.0.0.1:5000/status || exit 1',
        'CMD ["/app"]',
      ].join('\n'),
    },
    expect: {
      stack: 'dockerfile',
      services: { web: { dockerfile: 'Dockerfile', port: 5000 } },
      health: { web: '/status' },
    },
  },
  {
    name: 'a preset app keeps the HEALTHCHECK path of its Dockerfile',
    files: {
      'package.json': pkg({ name: 'site', dependencies: { next: '15' } }),
      Dockerfile: 'FROM node:24\nHEALTHCHECK CMD curl -fsS http://localhost:3000/api/health\n',
    },
    expect: {
      stack: 'nextjs',
      services: { web: { preset: 'nextjs', port: 3000 } },
      health: { web: '/api/health' },
      notes: true,
    },
  },
  {
    name: 'nothing recognisable: a minimal spec to fill in, and a note',
    files: { 'README.md': '# hello\n' },
    expect: {
      stack: 'unknown',
      services: { web: { kind: 'web', dockerfile: 'Dockerfile', port: 8080 } },
      notes: true,
      textHas: ['TODO'],
    },
  },
  {
    name: 'a compose file with only postgres and redis: their versions, and the app from package.json',
    files: {
      'docker-compose.yaml':
        'services:\n  postgres:\n    image: postgres:15\n  redis:\n    image: redis:6.2-alpine\n',
      'package.json': pkg({ name: 'x', scripts: { start: 'node .' }, dependencies: { express: '5' } }),
    },
    expect: {
      stack: 'node',
      services: { web: { preset: 'node', port: 3000 } },
      dependencies: { db: 'postgres', cache: 'redis' },
      versions: { db: '15', cache: '6.2' },
      env: { web: { DATABASE_URL: ref('dependencies.db.url'), REDIS_URL: ref('dependencies.cache.url') } },
    },
  },
  {
    name: 'malformed package.json is skipped with a warning; requirements.txt still counts',
    files: { 'package.json': '{ "name": "broken", ', 'requirements.txt': 'flask\n' },
    expect: { stack: 'python', services: { web: { preset: 'python', port: 8000 } }, warnings: 1 },
  },
  {
    name: 'malformed pyproject.toml is skipped with a warning',
    files: { 'pyproject.toml': '[project\nname = "x"\n' },
    expect: { stack: 'unknown', services: { web: { dockerfile: 'Dockerfile' } }, warnings: 1 },
  },
  {
    name: 'malformed compose file is skipped with a warning; package.json still counts',
    files: {
      'compose.yaml': 'services:\n  web:\n    image: [unclosed\n',
      'package.json': pkg({ name: 'svc', dependencies: { hono: '4' } }),
    },
    expect: { stack: 'node', services: { web: { preset: 'node' } }, warnings: 1 },
  },
];

describe('slipway init: detection and the written spec', () => {
  it.each(CASES)('$name', ({ files, expect: want }) => {
    const { detection, text, errors, spec } = init(files);
    expect(errors).toEqual([]);
    expect(spec).toBeDefined();
    expect(detection.stack).toBe(want.stack);
    expect(detection.warnings).toHaveLength(want.warnings ?? 0);
    if (want.notes) expect(detection.notes.length).toBeGreaterThan(0);

    expect(Object.keys(spec.services).sort()).toEqual(Object.keys(want.services).sort());
    for (const [name, w] of Object.entries(want.services)) {
      const s = spec.services[name];
      if (w.kind) expect(s?.kind ?? 'web').toBe(w.kind);
      if (w.preset) expect(s?.build?.preset).toBe(w.preset);
      if (w.dockerfile) expect(s?.build?.dockerfile).toBe(w.dockerfile);
      if (w.port) expect(s?.ports?.http).toBe(w.port);
    }
    const deps = Object.fromEntries(Object.entries(spec.dependencies ?? {}).map(([n, d]) => [n, d.type]));
    expect(deps).toEqual(want.dependencies ?? {});
    for (const [dep, v] of Object.entries(want.versions ?? {}))
      expect(spec.dependencies?.[dep]?.version).toBe(v);
    for (const [svc, env] of Object.entries(want.env ?? {}))
      expect(spec.services[svc]?.env).toMatchObject(env);
    for (const [svc, b] of Object.entries(want.build ?? {}))
      expect(spec.services[svc]?.build).toMatchObject(b);
    for (const [svc, path] of Object.entries(want.health ?? {}))
      expect(spec.services[svc]?.health?.http?.path).toBe(path);
    for (const [svc, cmd] of Object.entries(want.command ?? {}))
      expect(spec.services[svc]?.command).toEqual(cmd);
    for (const svc of want.hooks ?? []) expect(spec.services[svc]?.hook?.phase).toBe('pre-deploy');
    for (const s of want.textHas ?? []) expect(text).toContain(s);
  });

  it('writes the schema comment on line 1, the api version, and dev/prod environments', () => {
    const { text, spec } = init({ 'package.json': pkg({ name: 'shop', dependencies: { next: '15' } }) });
    expect(text.split('\n')[0]).toBe(`# ${SCHEMA_COMMENT}`);
    expect(text).toContain('docs/spec.md');
    expect(spec.apiVersion).toBe('slipway.dev/v1');
    expect(spec.app.name).toBe('shop');
    expect(spec.environments.dev).toMatchObject({
      target: 'compose',
      secrets: { source: 'env-file', file: '.env' },
    });
    expect(spec.environments.prod).toMatchObject({
      target: 'kubernetes',
      secrets: { source: 'existing' },
      hosts: ['shop.example.com'],
      ingress: { routes: [{ path: '/', service: 'web' }] },
      services: { web: { replicas: 2 } },
    });
  });

  it('sanitises a package name into a short DNS label; --name wins', () => {
    const files = {
      'package.json': pkg({
        name: '@Acme/My_Super Application.Name-that-goes-on-and-on',
        dependencies: { next: '15' },
      }),
    };
    const { spec } = init(files);
    expect(spec.app.name).toMatch(/^[a-z]([-a-z0-9]*[a-z0-9])?$/);
    expect(spec.app.name.length).toBeLessThanOrEqual(30);
    expect(spec.app.name.startsWith('acme-my-super')).toBe(true);
    expect(init(files, { name: 'shop' }).spec.app.name).toBe('shop');
    expect(init({ 'package.json': pkg({ name: '123' }) }).spec.app.name).toMatch(/^[a-z]/);
  });

  it('imports a compose file: builds, pinned images, ports, health, dependencies, and secrets without values', () => {
    const compose = [
      'x-common: &common',
      '  restart: unless-stopped',
      'services:',
      '  api:',
      '    <<: *common',
      '    build: ./api',
      '    ports: ["8080:3000"]',
      '    environment:',
      '      NODE_ENV: production',
      '      DATABASE_URL: postgres://app:pg-pass-9f8e7d@db:5432/app',
      '      REDIS_URL: redis://cache:6379',
      '      JWT_SECRET: jwt-literal-value-4b3c2a1',
      '      STRIPE_KEY: sk_live_51abcdefLITERAL',
      '      LEGACY_DB: mysql://root:mysql-pass-77aa@legacy:3306/x',
      '    depends_on: [db, cache]',
      '    healthcheck:',
      '      test: ["CMD", "curl", "-f", "http://localhost:3000/healthz"]',
      '  admin:',
      '    image: ghcr.io/acme/admin:2.1.0',
      '    ports:',
      '      - target: 80',
      '        published: 8081',
      '    environment:',
      '      - API_URL=http://api:3000',
      '      - ADMIN_PASSWORD=admin-literal-5e6f',
      '  worker:',
      '    build: { context: ./api, dockerfile: Dockerfile.worker }',
      '    command: node worker.js',
      '  proxy:',
      '    image: nginx:latest',
      '    ports: ["80:80"]',
      '  db:',
      '    image: postgres:16-alpine',
      '    environment: { POSTGRES_DB: app, POSTGRES_USER: app, POSTGRES_PASSWORD: pg-pass-9f8e7d }',
      '  cache:',
      '    image: redis:7.2',
      '',
    ].join('\n');
    const { detection, text, errors, spec } = init({ 'docker-compose.yml': compose });
    expect(errors).toEqual([]);
    expect(detection.stack).toBe('compose');

    // No secret value, from any service, anywhere in the file.
    for (const value of [
      'pg-pass-9f8e7d',
      'jwt-literal-value-4b3c2a1',
      'sk_live_51abcdefLITERAL',
      'mysql-pass-77aa',
      'admin-literal-5e6f',
    ]) {
      expect(text).not.toContain(value);
    }
    expect(Object.keys(spec.secrets ?? {}).sort()).toEqual([
      'admin-password',
      'jwt-secret',
      'legacy-db',
      'stripe-key',
    ]);
    expect(spec.services.api?.env).toMatchObject({
      NODE_ENV: 'production',
      DATABASE_URL: ref('dependencies.db.url'),
      REDIS_URL: ref('dependencies.cache.url'),
      JWT_SECRET: ref('secrets.jwt-secret'),
      STRIPE_KEY: ref('secrets.stripe-key'),
    });
    expect(spec.services.admin?.env?.API_URL).toBe(ref('services.api.url'));

    expect(spec.services.api).toMatchObject({
      kind: 'web',
      build: { context: 'api', dockerfile: 'Dockerfile' },
      ports: { http: 3000 },
      health: { http: { path: '/healthz' } },
      uses: ['db', 'cache'],
    });
    expect(spec.services.admin).toMatchObject({ image: 'ghcr.io/acme/admin:2.1.0', ports: { http: 80 } });
    expect(spec.services.worker).toMatchObject({ kind: 'worker', args: ['node', 'worker.js'] });
    expect(spec.dependencies).toEqual({
      db: { type: 'postgres', version: '16', database: 'app', user: 'app' },
      cache: { type: 'redis', version: '7.2' },
    });

    // The unpinned image is not a service, but stays in the file, commented, with a TODO and a note.
    expect(spec.services.proxy).toBeUndefined();
    expect(text).toContain('# TODO pin a version');
    expect(text).toMatch(/#\s+image: nginx:latest/);
    expect(detection.notes.some((n) => n.includes('proxy') && n.includes('pin'))).toBe(true);
    expect(spec.environments.prod?.ingress?.routes?.[0]?.service).toBe('api');
  });

  it('imports a compose file whose only service is unpinned without failing validation', () => {
    const { errors, spec, detection } = init({
      'compose.yaml': 'services:\n  web:\n    image: nginx\n    ports: [80]\n',
    });
    expect(errors).toEqual([]);
    expect(Object.keys(spec.services)).toEqual([]);
    expect(detection.skipped.map((s) => s.name)).toEqual(['web']);
  });

  it('refuses to hand out a spec that does not validate, as an internal error', () => {
    expect(() => assertValidSpec('slipway.yaml', 'apiVersion: slipway.dev/v1\n')).toThrow(Error);
    try {
      assertValidSpec('slipway.yaml', 'apiVersion: nope\n');
    } catch (e) {
      expect(e).not.toBeInstanceOf(UsageError);
    }
  });

  it('reads the TOML that pyproject files use and reports where it stops', () => {
    const ok = parseToml(
      'a.b = "x"\n[t]\nlist = [\n  "1", # c\n  \'2\',\n]\ninline = { k = 1, l = [true] }\ns = """\nmulti\nline"""\n',
    );
    expect(ok).toEqual({
      ok: true,
      value: { a: { b: 'x' }, t: { list: ['1', '2'], inline: { k: 1, l: [true] }, s: 'multi\nline' } },
    });
    const bad = parseToml('[ok]\nx = 1\ny = unquoted words\n');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.line).toBe(3);
  });
});

describe('slipway init: the command', () => {
  function io() {
    const out: string[] = [];
    const err: string[] = [];
    const sink: Io = { out: (s) => out.push(s), err: (s) => err.push(s), color: false, format: 'text' };
    return { sink, out, err };
  }

  it('throws UsageError for a missing folder, an existing spec and an invalid --name', () => {
    expect(() =>
      initCommand(
        { dir: join(tmpdir(), 'slipway-no-such-dir-x9'), file: 'slipway.yaml', force: false },
        io().sink,
      ),
    ).toThrow(UsageError);
    const dir = folder({ 'slipway.yaml': 'keep me\n' });
    expect(() => initCommand({ dir, file: 'slipway.yaml', force: false }, io().sink)).toThrow(
      /already exists/,
    );
    expect(readFileSync(join(dir, 'slipway.yaml'), 'utf8')).toBe('keep me\n');
    expect(() =>
      initCommand({ dir, file: 'other.yaml', force: false, name: 'Not A Name' }, io().sink),
    ).toThrow(UsageError);
  });

  it('writes a spec somewhere else with build contexts pointing back at the app', () => {
    const dir = folder({ 'package.json': pkg({ name: 'x', dependencies: { next: '15' } }) });
    const { sink, out } = io();
    expect(() => initCommand({ dir, file: 'deploy/slipway.yaml', force: false }, sink)).toThrow(UsageError);
    mkdirSync(join(dir, 'deploy'));
    expect(initCommand({ dir, file: 'deploy/slipway.yaml', force: false }, sink)).toBe(0);
    const text = readFileSync(join(dir, 'deploy/slipway.yaml'), 'utf8');
    expect(parseSpec('s.yaml', text).loaded?.spec.services.web?.build?.context).toBe('..');
    expect(out.join('')).toContain('slipway validate');
  });
});

describe('slipway init: CLI', () => {
  function slipway(args: string[]) {
    const r = spawnSync(NODE, [BIN, ...args], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
      timeout: 20_000,
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  it('writes a valid spec, refuses to overwrite it without --force, and overwrites with it', () => {
    const dir = folder({ 'package.json': pkg({ name: 'cli-app', dependencies: { express: '5', pg: '8' } }) });
    const first = slipway(['init', '--dir', dir]);
    expect(first.code, first.stderr).toBe(0);
    expect(existsSync(join(dir, 'slipway.yaml'))).toBe(true);
    expect(first.stdout).toContain('slipway validate');
    expect(first.stdout).toContain('slipway plan');
    expect(slipway(['validate', join(dir, 'slipway.yaml')]).code).toBe(0);

    const second = slipway(['init', '--dir', dir]);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain('--force');
    expect(second.stderr).not.toMatch(/\n\s+at /);

    expect(slipway(['init', '--dir', dir, '--force']).code).toBe(0);
  });

  it('prints JSON with --output json', () => {
    const dir = folder({ 'requirements.txt': 'fastapi\nasyncpg\n' });
    const r = slipway(['init', '--dir', dir, '--output', 'json', '--name', 'api']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.file).toContain('slipway.yaml');
    expect(report.detected).toMatchObject({ app: 'api', stack: 'python' });
    expect(report.detected.services[0]).toMatchObject({ name: 'web', preset: 'python', ports: [8000] });
    expect(report.detected.dependencies).toEqual([
      { name: 'db', type: 'postgres', version: expect.any(String) },
    ]);
    expect(Array.isArray(report.notes)).toBe(true);
  });

  it('exits 2 for a folder that does not exist, and warns (exit 0) about a malformed package.json', () => {
    const missing = slipway(['init', '--dir', join(tmpdir(), 'slipway-init-missing-7q')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--dir');

    const dir = folder({ 'package.json': '{ not json' });
    const r = slipway(['init', '--dir', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('warning');
    expect(r.stderr).toContain('package.json');
    expect(existsSync(join(dir, 'slipway.yaml'))).toBe(true);
  });
});
