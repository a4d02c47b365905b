/**
 * The GitHub Actions renderer: goldens for every example (test/golden/<example>/ci/<file>, written
 * on the first run or with UPDATE_GOLDEN=1 — review the diff: it is what runs in users' CI), then
 * the properties every workflow must have, checked on the parsed YAML against hand-written
 * expectations per example, and the cases the examples do not reach (a compose deploy over SSH, a
 * spec in a subfolder, pnpm, wildcard triggers, the default registry) on a synthetic spec.
 */
import { existsSync, globSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { resolveEnvironment } from '../../src/model/resolve.ts';
import type { Model } from '../../src/model/types.ts';
import type { FileArtifact } from '../../src/render/artifact.ts';
import { ACTIONS, renderWorkflows } from '../../src/render/ci/index.ts';
import { loadSpecFile, parseSpec } from '../../src/spec/loader.ts';

const update = process.env.UPDATE_GOLDEN === '1';

type Obj = Record<string, unknown>;
interface Workflow {
  name: string;
  on: Obj;
  permissions: Obj;
  jobs: Record<string, Job>;
}
interface Job {
  name: string;
  if?: string;
  needs?: string[];
  'runs-on': string;
  'timeout-minutes': number;
  permissions: Record<string, string>;
  environment?: { name: string; url?: string };
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  services?: Record<
    string,
    { image: string; env?: Record<string, string>; ports: string[]; options: string }
  >;
  env?: Record<string, string>;
  steps: Step[];
}
interface Step {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}

function modelsOf(file: string): Model[] {
  const r = loadSpecFile(file);
  if (!r.loaded) throw new Error(`${file} does not load`);
  const { spec } = r.loaded;
  return Object.keys(spec.environments).map((env) => resolveEnvironment(spec, env));
}

function modelsFromText(path: string, text: string): Model[] {
  const r = parseSpec(path, text);
  if (!r.loaded) throw new Error(`does not load: ${JSON.stringify(r.diagnostics)}`);
  const { spec } = r.loaded;
  return Object.keys(spec.environments).map((env) => resolveEnvironment(spec, env));
}

function workflows(files: FileArtifact[]): { ci: Workflow; deploy: Workflow | undefined } {
  const get = (p: string) => files.find((f) => f.path === p);
  const ci = get('.github/workflows/ci.yml');
  if (!ci) throw new Error('no ci.yml');
  const deploy = get('.github/workflows/deploy.yml');
  return {
    ci: parse(ci.content) as Workflow,
    deploy: deploy ? (parse(deploy.content) as Workflow) : undefined,
  };
}

const examples = globSync('examples/*/slipway.yaml')
  .sort()
  .map((file) => {
    const models = modelsOf(file);
    return {
      example: file.split('/')[1] as string,
      models,
      files: renderWorkflows(models, { specPath: 'slipway.yaml' }),
    };
  });

// ---------------------------------------------------------------------------------------------------------
// What each example must get, written by hand from its slipway.yaml

interface Expected {
  /** Test job → its service containers as `name=image` (empty: no test job for that runtime). */
  tests: Record<string, string[]>;
  /** Deploying environments → the `if:` ref condition; none: no deploy.yml. */
  deploys: Record<string, string>;
  /** Per deploying environment, the images built (service → Dockerfile). */
  builds: Record<string, Record<string, string>>;
  registry: Record<string, string>;
}

const EXPECTED: Record<string, Expected> = {
  autodevhub: {
    tests: { 'test-node': [], 'test-python': ['db=postgres:17'] },
    deploys: { production: "github.ref == 'refs/heads/main'" },
    builds: {
      production: {
        backend: 'deploy/production/docker/backend.Dockerfile',
        frontend: 'deploy/production/docker/frontend.Dockerfile',
      },
    },
    registry: { production: 'ghcr.io/autodevhub' },
  },
  codequal: {
    // deepwiki has its own Dockerfile (runtime unknown): no test job; db is external or SQLite, tested on postgres:15.
    tests: { 'test-node': ['db=postgres:15'] },
    deploys: {},
    builds: {},
    registry: {},
  },
  devportal: { tests: {}, deploys: {}, builds: {}, registry: {} },
  'plugin-portal': {
    tests: { 'test-node': ['db=postgres:17', 'redis=redis:7.4'] },
    deploys: {
      staging: "github.ref == 'refs/heads/main'",
      production: "startsWith(github.ref, 'refs/tags/v')",
    },
    builds: {
      staging: {
        backend: 'deploy/staging/docker/backend.Dockerfile',
        frontend: 'deploy/staging/docker/frontend.Dockerfile',
      },
      production: {
        backend: 'deploy/production/docker/backend.Dockerfile',
        frontend: 'deploy/production/docker/frontend.Dockerfile',
      },
    },
    registry: { staging: 'registry.example.com/platform', production: 'registry.example.com/platform' },
  },
  vibeyard: {
    tests: { 'test-node': ['db=postgres:15', 'redis=redis:7.4'] },
    deploys: { staging: "github.ref == 'refs/heads/develop'", prod: "github.ref == 'refs/heads/main'" },
    // worker and migrate run web's image (imageFrom): built once.
    builds: {
      staging: { web: 'deploy/staging/docker/web.Dockerfile' },
      prod: { web: 'deploy/prod/docker/web.Dockerfile' },
    },
    registry: { staging: 'ghcr.io/your-org', prod: 'ghcr.io/your-org' },
  },
};

// ---------------------------------------------------------------------------------------------------------
// Properties of every workflow

function allSteps(w: Workflow): Step[] {
  return Object.values(w.jobs).flatMap((j) => j.steps);
}

function checkCommon(w: Workflow, label: string): void {
  // Read-only by default; job-level permissions only ever add what the job needs.
  expect(w.permissions, label).toEqual({ contents: 'read' });
  for (const [name, job] of Object.entries(w.jobs)) {
    const where = `${label} job ${name}`;
    expect(job['timeout-minutes'], where).toBeGreaterThan(0);
    expect(job['runs-on'], where).toBe('ubuntu-latest');
    expect(job.permissions.contents, where).toBe('read');
    expect(job.permissions['id-token'], where).toBeUndefined();
    for (const [scope, level] of Object.entries(job.permissions)) {
      if (scope === 'contents') continue;
      if (scope === 'actions') {
        // Only to read the protection rules of an environment that requires approval.
        expect(level, where).toBe('read');
        expect(job.steps[0]?.name, where).toBe(`Require a reviewer for ${job.environment?.name}`);
        continue;
      }
      expect(scope, where).toBe('packages');
      if (level === 'write') {
        // Only a job that pushes to GHCR.
        expect(name, where).toMatch(/^build-/);
        expect(
          job.steps.some((s) => s.uses?.startsWith('docker/build-push-action@')),
          where,
        ).toBe(true);
      }
    }
  }
  const pinned = new Set<string>(Object.values(ACTIONS));
  for (const s of allSteps(w)) {
    if (s.uses === undefined) continue;
    expect(s.uses, label).toMatch(/^[\w.-]+\/[\w.-]+@v\d+\.\d+\.\d+$/);
    expect(s.uses, label).not.toMatch(/@(main|master|HEAD|latest)$/);
    expect(pinned.has(s.uses), `${label}: ${s.uses} is not in ACTIONS`).toBe(true);
  }
  for (const s of allSteps(w)) {
    if (s.run === undefined) continue;
    // Secrets (and every other expression) reach scripts through env, never as script text.
    expect(s.run, `${label} step ${s.name}`).not.toMatch(/\$\{\{\s*secrets\./);
    expect(s.run, `${label} step ${s.name}`).not.toContain('${{');
    // A variable that holds a secret is never echoed to the log.
    for (const [v, value] of Object.entries(s.env ?? {})) {
      if (!value.includes('secrets.')) continue;
      for (const line of s.run.split('\n')) {
        if (!new RegExp(`\\$\\{?${v}\\b`).test(line)) continue;
        if (/^\s*(echo|printf)\b/.test(line))
          expect(line, `${label} step ${s.name}`).toMatch(
            /(>|>>) "?\$(RUNNER_TEMP|HOME|GITHUB_ENV)|> [.\w/-]+$/,
          );
      }
    }
  }
}

function checkNoLatest(content: string, label: string): void {
  // The only "latest" allowed: the runner label and metadata-action's `latest=false`.
  const rest = content.replaceAll('ubuntu-latest', '').replaceAll('latest=false', '');
  expect(rest, label).not.toMatch(/latest/i);
}

describe('GitHub Actions workflows of the examples', () => {
  it('covers every example', () => {
    expect(examples.map((e) => e.example)).toEqual(Object.keys(EXPECTED).sort());
  });

  describe.each(examples.map((e) => [e.example, e] as const))('%s', (example, e) => {
    const expected = EXPECTED[example] as Expected;
    const { ci, deploy } = workflows(e.files);

    it('matches the golden files', () => {
      const dir = join('test/golden', example, 'ci');
      for (const f of e.files) {
        const file = join(dir, f.path.split('/').pop() as string);
        if (update || !existsSync(file)) {
          mkdirSync(dirname(file), { recursive: true });
          writeFileSync(file, f.content);
        }
        expect(f.content, file).toBe(readFileSync(file, 'utf8'));
      }
      expect(readdirSync(dir).sort()).toEqual(e.files.map((f) => f.path.split('/').pop()).sort());
    });

    it('writes ci.yml, and deploy.yml exactly when an environment has deployOn', () => {
      expect(e.files.map((f) => f.path)).toEqual([
        '.github/workflows/ci.yml',
        ...(Object.keys(expected.deploys).length > 0 ? ['.github/workflows/deploy.yml'] : []),
      ]);
      for (const f of e.files) expect(f.renderer).toBe('ci');
    });

    it('pins every action, stays least-privilege, never puts a secret in a script, times every job out', () => {
      checkCommon(ci, `${example} ci.yml`);
      if (deploy) checkCommon(deploy, `${example} deploy.yml`);
    });

    it('never tags or runs an image as latest', () => {
      for (const f of e.files) checkNoLatest(f.content, `${example} ${f.path}`);
    });

    it('runs on pull requests and pushes, with a test job per runtime and the slipway job', () => {
      expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push']);
      const testJobs = Object.keys(ci.jobs).filter((j) => j.startsWith('test-'));
      expect(testJobs.sort()).toEqual(Object.keys(expected.tests).sort());
      const slipway = ci.jobs.slipway as Job;
      const runs = slipway.steps.map((s) => s.run ?? '').join('\n');
      expect(runs).toContain('npx --no slipway verify slipway.yaml');
      expect(runs).toContain('npx --no slipway plan slipway.yaml');
    });

    it('gives each test job service containers for the dependencies it uses, at the model versions', () => {
      for (const [jobId, containers] of Object.entries(expected.tests)) {
        const job = ci.jobs[jobId] as Job;
        const got = Object.entries(job.services ?? {}).map(([n, s]) => `${n}=${s.image}`);
        expect(got.sort(), jobId).toEqual([...containers].sort());
        for (const [name, svc] of Object.entries(job.services ?? {})) {
          // The version is the one a model runs (not a guess), and the container is healthy before tests start.
          const [type, version] = svc.image.split(':');
          expect(
            e.models.some((m) =>
              m.dependencies.some((d) => d.name === name && d.type === type && d.version === version),
            ),
          ).toBe(true);
          expect(svc.options).toMatch(/--health-cmd "[^"]+" --health-interval \d+s/);
          expect(svc.ports).toEqual([type === 'postgres' ? '5432:5432' : '6379:6379']);
          if (type === 'postgres') {
            expect(svc.env?.POSTGRES_PASSWORD).toBe('ci-${{ github.run_id }}-${{ github.run_attempt }}');
            expect(job.env?.DATABASE_URL).toMatch(
              /^postgresql:\/\/\w+:ci-\$\{\{ github\.run_id \}\}-\$\{\{ github\.run_attempt \}\}@localhost:5432\/\w+$/,
            );
          } else expect(job.env?.REDIS_URL).toBe('redis://localhost:6379');
        }
        const setup = job.steps.find((s) => s.uses?.startsWith('actions/setup-'));
        const b = e.models.flatMap((m) => m.services).find((s) => job.name.includes(`(${s.name}`))?.build;
        expect(setup?.with?.[jobId === 'test-node' ? 'node-version' : 'python-version']).toBe(
          b?.runtimeVersion,
        );
      }
    });

    it('deploys exactly the environments with deployOn, on their ref, one deploy at a time', () => {
      if (!deploy) {
        expect(expected.deploys).toEqual({});
        return;
      }
      const names = (prefix: string) =>
        Object.keys(deploy.jobs)
          .filter((j) => j.startsWith(prefix))
          .map((j) => j.slice(prefix.length));
      expect(names('deploy-')).toEqual(Object.keys(expected.deploys));
      expect(names('rollback-')).toEqual(Object.keys(expected.deploys));
      const on = deploy.on as { push: { branches?: string[]; tags?: string[] }; workflow_dispatch: Obj };
      const models = new Map(e.models.map((m) => [m.environment.name, m]));
      for (const [env, condition] of Object.entries(expected.deploys)) {
        const model = models.get(env) as Model;
        const job = deploy.jobs[`deploy-${env}`] as Job;
        expect(job.if).toBe(`github.event_name == 'push' && ${condition}`);
        expect(job.concurrency).toEqual({ group: `deploy-${env}`, 'cancel-in-progress': false });
        expect(job.environment?.name).toBe(env);
        const { branch, tag } = model.environment.deployOn ?? {};
        if (branch) expect(on.push.branches).toContain(branch);
        if (tag) expect(on.push.tags).toContain(tag);
        const run = job.steps.map((s) => s.run ?? '').join('\n');
        expect(run).toContain(`npx --no slipway deploy slipway.yaml --env ${env} --image-tag "$IMAGE_TAG"`);
        expect(job.steps.find((s) => s.run?.includes('slipway deploy'))?.env?.IMAGE_TAG).toBe(
          '${{ github.sha }}',
        );
        // Kubernetes targets read the cluster from KUBE_CONFIG_<ENV>, through the step's env.
        expect(model.environment.target).toBe('kubernetes');
        const creds = job.steps.find((s) => s.env?.KUBE_CONFIG);
        expect(creds?.env?.KUBE_CONFIG).toBe(`\${{ secrets.KUBE_CONFIG_${env.toUpperCase()} }}`);
        expect(job.needs).toEqual([`build-${env}`]);
        // approval: true is enforced: the job stops unless the GitHub environment requires a reviewer.
        for (const j of [job, deploy.jobs[`rollback-${env}`] as Job]) {
          const guard = j.steps[0];
          if (model.environment.approval) {
            expect(guard?.name).toBe(`Require a reviewer for ${env}`);
            expect(guard?.env).toEqual({ GH_TOKEN: '${{ github.token }}', ENVIRONMENT: env });
            expect(guard?.run).toContain('required_reviewers');
            expect(j.permissions.actions).toBe('read');
          } else {
            expect(guard?.uses).toMatch(/^actions\/checkout@/);
            expect(j.permissions.actions).toBeUndefined();
          }
        }

        const rollback = deploy.jobs[`rollback-${env}`] as Job;
        expect(rollback.if).toBe(
          `github.event_name == 'workflow_dispatch' && inputs.environment == '${env}'`,
        );
        expect(rollback.concurrency).toEqual(job.concurrency);
        const rb = rollback.steps.find((s) => s.run?.includes('slipway rollback'));
        expect(rb?.run).toContain(`npx --no slipway rollback slipway.yaml --env ${env} --to "$REVISION"`);
        expect(rb?.env?.REVISION).toBe('${{ inputs.revision }}');
      }
      const inputs = (on.workflow_dispatch as { inputs: Record<string, { options?: string[] }> }).inputs;
      expect(inputs.environment?.options).toEqual(Object.keys(expected.deploys));
      expect(Object.keys(inputs).sort()).toEqual(['environment', 'revision']);
    });

    it('builds and pushes every built service once (imageFrom reuses it), tagged by SHA, branch and version', () => {
      if (!deploy) return;
      for (const [env, images] of Object.entries(expected.builds)) {
        const job = deploy.jobs[`build-${env}`] as Job;
        expect(job.if).toBe(deploy.jobs[`deploy-${env}`]?.if);
        const builds = job.steps.filter((s) => s.uses?.startsWith('docker/build-push-action@'));
        const metas = job.steps.filter((s) => s.uses?.startsWith('docker/metadata-action@'));
        expect(Object.fromEntries(builds.map((b) => [String(b.name).split(' ')[3], b.with?.file]))).toEqual(
          images,
        );
        for (const b of builds) {
          expect(b.with?.push).toBe(true);
          expect(b.with?.['cache-from']).toMatch(/^type=gha,scope=/);
          expect(b.with?.['cache-to']).toMatch(/^type=gha,mode=max,scope=/);
        }
        for (const m of metas) {
          expect(m.with?.images).toMatch(new RegExp(`^${expected.registry[env]}/`));
          expect(m.with?.flavor).toBe('latest=false');
          expect(String(m.with?.tags).split('\n').filter(Boolean)).toEqual([
            'type=sha,format=long,prefix=',
            'type=ref,event=branch',
            'type=semver,pattern={{version}}',
          ]);
        }
        const login = job.steps.find((s) => s.uses?.startsWith('docker/login-action@'));
        const ghcr = (expected.registry[env] ?? '').startsWith('ghcr.io');
        expect(job.permissions).toEqual(
          ghcr ? { contents: 'read', packages: 'write' } : { contents: 'read' },
        );
        expect(login?.with?.password).toBe(
          ghcr ? '${{ secrets.GITHUB_TOKEN }}' : `\${{ secrets.REGISTRY_PASSWORD_${env.toUpperCase()} }}`,
        );
      }
    });
  });
});

describe('renderWorkflows', () => {
  it('is deterministic', () => {
    for (const file of globSync('examples/*/slipway.yaml')) {
      const a = renderWorkflows(modelsOf(file), { specPath: 'slipway.yaml' });
      const b = renderWorkflows(modelsOf(file), { specPath: 'slipway.yaml' });
      expect(b).toEqual(a);
    }
  });

  it('does not change the models it reads', () => {
    const models = modelsOf('examples/vibeyard/slipway.yaml');
    const before = structuredClone(models);
    renderWorkflows(models, { specPath: 'slipway.yaml' });
    expect(models).toEqual(before);
  });

  it('renders nothing for no environment, and refuses a spec path outside the repository', () => {
    expect(renderWorkflows([], { specPath: 'slipway.yaml' })).toEqual([]);
    const models = modelsOf('examples/vibeyard/slipway.yaml');
    expect(() => renderWorkflows(models, { specPath: '/abs/slipway.yaml' })).toThrow(/relative/);
    expect(() => renderWorkflows(models, { specPath: '../slipway.yaml' })).toThrow(/relative/);
  });
});

// ---------------------------------------------------------------------------------------------------------
// What the examples do not reach

const SYNTHETIC = `apiVersion: slipway.dev/v1
app:
  name: shop
services:
  web:
    build:
      preset: nextjs
      context: ./web
      install: pnpm install --frozen-lockfile
      args: { NEXT_PUBLIC_API: "https://api.example.com", WEIRD: "\${{ github.token }}" }
    ports: { http: 3000 }
    env:
      DATABASE_URL: \${dependencies.main.url}
      CACHE_URL: redis://\${dependencies.cache.host}:\${dependencies.cache.port}/1
      API_URL: \${services.api.url}
    uses: [main, cache]
  api:
    build:
      preset: python
      context: api
      install: pip install --no-cache-dir -r requirements.txt
    ports: { http: 8000 }
    env:
      PGHOST: \${dependencies.main.host}
      ANALYTICS_DSN: \${dependencies.analytics.url}
  tools:
    kind: worker
    build:
      context: tools
      dockerfile: build/Dockerfile
      target: release
  cron:
    kind: worker
    imageFrom: tools
dependencies:
  main: { type: postgres, version: "16" }
  analytics: { type: postgres, version: "17", database: events }
  cache: { type: redis, version: "8.0" }
environments:
  dev:
    target: compose
    profile: development
  qa:
    target: compose
    profile: production
    hosts: [qa.shop.example]
    deployOn: { branch: "release/*" }
    secrets: { source: env-file, file: .env.qa }
  live:
    target: kubernetes
    deployOn: { branch: main, tag: "v*.*" }
    approval: true
    images:
      registry: acme
`;

describe('a synthetic spec in a subfolder', () => {
  const models = modelsFromText('apps/shop/slipway.yaml', SYNTHETIC);
  const files = renderWorkflows(models, { specPath: 'apps/shop/slipway.yaml' });
  const { ci, deploy } = workflows(files);
  if (!deploy) throw new Error('no deploy.yml');

  it('has the properties of every workflow', () => {
    checkCommon(ci, 'ci.yml');
    checkCommon(deploy, 'deploy.yml');
    for (const f of files) checkNoLatest(f.content, f.path);
  });

  it('runs commands in the spec folder and names paths from the repository root', () => {
    expect(ci.jobs.slipway?.steps.find((s) => s.name === 'Install dependencies')).toBeDefined();
    expect((ci.jobs.slipway as unknown as Obj).defaults).toEqual({
      run: { 'working-directory': 'apps/shop' },
    });
    const web = ci.jobs['test-node'] as Job;
    expect((web as unknown as Obj).defaults).toEqual({ run: { 'working-directory': 'apps/shop/web' } });
    const build = deploy.jobs['build-live'] as Job;
    const files = build.steps
      .filter((s) => s.uses?.startsWith('docker/build-push-action@'))
      .map((s) => s.with);
    expect(files.map((w) => [w?.context, w?.file, w?.target])).toEqual([
      ['apps/shop/api', 'apps/shop/deploy/live/docker/api.Dockerfile', undefined],
      ['apps/shop/tools', 'apps/shop/tools/build/Dockerfile', 'release'],
      ['apps/shop/web', 'apps/shop/deploy/live/docker/web.Dockerfile', undefined],
    ]);
    // The generated Dockerfiles are rendered first, from the spec folder.
    expect(build.steps.map((s) => s.run ?? '').join('')).toContain(
      'npx --no slipway plan slipway.yaml --env live',
    );
  });

  it('sets up pnpm before Node.js, and caches by the lockfile the install reads', () => {
    const steps = (ci.jobs['test-node'] as Job).steps;
    const i = steps.findIndex((s) => s.uses?.startsWith('pnpm/action-setup@'));
    const j = steps.findIndex((s) => s.uses?.startsWith('actions/setup-node@'));
    expect(i).toBeGreaterThan(0);
    expect(j).toBe(i + 1);
    expect(steps[j]?.with).toEqual({
      'node-version': '24',
      cache: 'pnpm',
      'cache-dependency-path': 'apps/shop/web/pnpm-lock.yaml',
    });
    expect(steps.find((s) => s.name === 'Lint')?.run).toBe('pnpm run --if-present lint\n');
    const py = (ci.jobs['test-python'] as Job).steps;
    expect(py.find((s) => s.uses?.startsWith('actions/setup-python@'))?.with).toEqual({
      'python-version': '3.12',
      cache: 'pip',
      'cache-dependency-path': 'apps/shop/api/requirements.txt',
    });
    expect(py.find((s) => s.name === 'Install dependencies')?.run).toContain(
      'pip install -r requirements.txt\n',
    );
  });

  it('points every dependency variable at its container, on its own port, and leaves out secrets and services', () => {
    const py = ci.jobs['test-python'] as Job;
    expect(Object.entries(py.services ?? {}).map(([n, s]) => [n, s.image, s.ports])).toEqual([
      ['analytics', 'postgres:17', ['5432:5432']],
      ['main', 'postgres:16', ['5433:5432']],
    ]);
    expect(py.env).toEqual({
      ANALYTICS_DSN:
        'postgresql://shop:ci-${{ github.run_id }}-${{ github.run_attempt }}@localhost:5432/events',
      PGHOST: 'localhost',
    });
    const web = ci.jobs['test-node'] as Job;
    expect(web.env).toEqual({
      CACHE_URL: 'redis://localhost:6379/1',
      DATABASE_URL: 'postgresql://shop:ci-${{ github.run_id }}-${{ github.run_attempt }}@localhost:5432/shop',
      REDIS_URL: 'redis://localhost:6379',
    });
    // The own-Dockerfile service has no test job (its runtime is unknown).
    expect(Object.keys(ci.jobs).sort()).toEqual(['slipway', 'test-node', 'test-python']);
  });

  it('turns wildcard branches and tags into triggers and job conditions', () => {
    expect(deploy.on.push).toEqual({ branches: ['main', 'release/*'], tags: ['v*.*'] });
    expect(ci.on.push).toEqual({ branches: ['main', 'release/*'] });
    expect(deploy.jobs['deploy-qa']?.if).toBe(
      "github.event_name == 'push' && startsWith(github.ref, 'refs/heads/release/')",
    );
    expect(deploy.jobs['deploy-live']?.if).toBe(
      "github.event_name == 'push' && ((github.ref == 'refs/heads/main') || (startsWith(github.ref, 'refs/tags/v') && contains(github.ref, '.')))",
    );
  });

  it('deploys a compose environment over SSH with a pinned host key, its env file and a registry login', () => {
    const job = deploy.jobs['deploy-qa'] as Job;
    const creds = job.steps.find((s) => s.name === 'Server credentials');
    expect(creds?.env).toEqual({
      DEPLOY_HOST: '${{ secrets.DEPLOY_HOST_QA }}',
      DEPLOY_SSH_KEY: '${{ secrets.DEPLOY_SSH_KEY_QA }}',
      DEPLOY_KNOWN_HOSTS: '${{ secrets.DEPLOY_KNOWN_HOSTS_QA }}',
    });
    expect(creds?.run).toContain('StrictHostKeyChecking yes');
    expect(creds?.run).toContain('echo "DOCKER_HOST=ssh://$DEPLOY_HOST" >> "$GITHUB_ENV"');
    expect(creds?.run).not.toContain('ssh-keyscan');
    const envFile = job.steps.find((s) => s.env?.DEPLOY_ENV_FILE);
    expect(envFile?.env?.DEPLOY_ENV_FILE).toBe('${{ secrets.DEPLOY_ENV_FILE_QA }}');
    expect(envFile?.run).toContain('> .env.qa');
    // Pulls on the server use the runner's GHCR login: read access, nothing more.
    expect(job.permissions).toEqual({ contents: 'read', packages: 'read' });
    expect(job.steps.some((s) => s.uses?.startsWith('docker/login-action@'))).toBe(true);
    const cleanup = job.steps.at(-1);
    expect(cleanup?.if).toBe('always()');
    expect(cleanup?.run).toBe('rm -f "$HOME/.ssh/slipway_deploy"\nrm -f .env.qa\n');
  });

  it('pushes to ghcr.io/<owner> when the spec names no registry, and tells the deploy', () => {
    const build = deploy.jobs['build-qa'] as Job;
    const metas = build.steps.filter((s) => s.uses?.startsWith('docker/metadata-action@'));
    expect(metas.map((m) => m.with?.images)).toEqual([
      'ghcr.io/${{ github.repository_owner }}/shop-api',
      'ghcr.io/${{ github.repository_owner }}/shop-tools',
      'ghcr.io/${{ github.repository_owner }}/shop-web',
    ]);
    expect(build.permissions).toEqual({ contents: 'read', packages: 'write' });
    const step = deploy.jobs['deploy-qa']?.steps.find((s) => s.run?.includes('slipway deploy'));
    expect(step?.env).toEqual({
      IMAGE_TAG: '${{ github.sha }}',
      REGISTRY_OWNER: '${{ github.repository_owner }}',
    });
    expect(step?.run).toBe(
      'registry="ghcr.io/${REGISTRY_OWNER,,}"\nnpx --no slipway deploy slipway.yaml --env qa --image-tag "$IMAGE_TAG" --registry "$registry"\n',
    );
  });

  it('logs in to Docker Hub with the environment registry secrets', () => {
    const build = deploy.jobs['build-live'] as Job;
    expect(build.permissions).toEqual({ contents: 'read' });
    expect(build.steps.find((s) => s.uses?.startsWith('docker/login-action@'))?.with).toEqual({
      username: '${{ secrets.REGISTRY_USERNAME_LIVE }}',
      password: '${{ secrets.REGISTRY_PASSWORD_LIVE }}',
    });
    expect(
      deploy.jobs['deploy-live']?.steps.find((s) => s.run?.includes('slipway deploy'))?.run,
    ).not.toContain('--registry');
  });

  it('writes spec text verbatim: a `${{` in a build argument is never evaluated', () => {
    const build = deploy.jobs['build-live'] as Job;
    const web = build.steps.find((s) => s.name === 'Build and push web');
    expect(web?.with?.['build-args']).toBe(
      "NEXT_PUBLIC_API=https://api.example.com\nWEIRD=${{ '${{' }} github.token }}\n",
    );
  });

  it('builds an image once per commit and reuses it for an environment deployed later', () => {
    const build = deploy.jobs['build-live'] as Job;
    const look = build.steps.find((s) => s.id === 'existing_web');
    expect(look?.env).toEqual({ IMAGE: 'acme/shop-web:${{ github.sha }}' });
    expect(build.steps.find((s) => s.name === 'Build and push web')?.if).toBe(
      "steps.existing_web.outputs.found != 'true'",
    );
    const tag = build.steps.find((s) => s.name === 'Tag the existing web image');
    expect(tag?.if).toBe("steps.existing_web.outputs.found == 'true'");
    expect(tag?.env?.TAGS).toBe('${{ steps.meta_web.outputs.tags }}');
    // cron runs the tools image: nothing is built for it.
    expect(
      build.steps.filter((s) => s.uses?.startsWith('docker/metadata-action@')).map((s) => s.with?.images),
    ).toEqual(['acme/shop-api', 'acme/shop-tools', 'acme/shop-web']);
    expect(build.steps.find((s) => s.name?.startsWith('Build and push tools'))?.name).toBe(
      'Build and push tools (also run by cron)',
    );
  });

  it('lists the secrets to configure in the header', () => {
    const content = files.find((f) => f.path.endsWith('deploy.yml'))?.content ?? '';
    const header = content
      .split('\n')
      .filter((l) => l.startsWith('#'))
      .join(' ');
    for (const s of [
      'DEPLOY_HOST_QA',
      'DEPLOY_SSH_KEY_QA',
      'DEPLOY_KNOWN_HOSTS_QA',
      'DEPLOY_ENV_FILE_QA',
      'REGISTRY_USERNAME_LIVE',
      'REGISTRY_PASSWORD_LIVE',
      'KUBE_CONFIG_LIVE',
    ])
      expect(header).toContain(s);
    expect(header).toContain('approval');
  });
});
