/**
 * `.github/workflows/ci.yml`: on every pull request and push, one test job per runtime among the
 * services Slipway builds (install, lint, type check, test, build) against throwaway service
 * containers for the dependencies they use, and one job that verifies and plans the deployment
 * architecture with the Slipway CLI.
 */
import { posix } from 'node:path';
import type { Model } from '../../model/types.ts';
import type { PackageManager } from '../docker/package-manager.ts';
import { presetBuild } from '../docker/presets.ts';
import { ACTIONS, RUNNER, SLIPWAY_NODE } from './actions.ts';
import {
  type CiDependency,
  deployEnvironments,
  fromRoot,
  nodeInstall,
  type SpecPaths,
  slipwayInstall,
  TEST_PASSWORD,
  type TestGroup,
  testEnvironment,
  testGroups,
  uniqueSorted,
} from './context.ts';
import { checkout, type Job, nodeSteps, runIn, type Step, slipway } from './steps.ts';
import { literal, script, shellWord } from './text.ts';

export function ciWorkflow(
  models: readonly Model[],
  paths: SpecPaths,
): { header: string[]; workflow: unknown } {
  const groups = testGroups(models);
  const branches = uniqueSorted(deployEnvironments(models).map((m) => m.environment.deployOn?.branch));
  const jobs: Record<string, Job> = {};
  for (const g of groups) jobs[g.jobId] = testJob(g, paths);
  jobs.slipway = slipwayJob(models, paths);

  const skipped = models
    .flatMap((m) => m.services)
    .filter((s) => s.build && !s.imageFrom && !presetBuild(s))
    .map((s) => s.name);
  const header = [
    `CI for ${models[0]?.app.name ?? 'the app'}: runs on every pull request and on pushes to ${
      branches.length > 0 ? branches.join(', ') : 'any branch'
    }.`,
    ...groups.map(
      (g) =>
        `${g.jobId}: ${g.services.map((s) => s.name).join(', ')} (${g.runtime} ${g.version})${
          g.dependencies.length > 0
            ? ` against ${g.dependencies.map((d) => `${d.name} (${d.type}:${d.version})`).join(', ')}`
            : ''
        }.`,
    ),
    ...(uniqueSorted(skipped).length > 0
      ? [
          `Not tested here (own Dockerfile, runtime unknown): ${uniqueSorted(skipped).join(', ')}${
            deployEnvironments(models).length > 0 ? '; the Deploy workflow builds them' : ''
          }.`,
        ]
      : []),
    'slipway: validates and verifies every environment, and fails when the committed plan is stale.',
  ];
  return {
    header,
    workflow: {
      name: 'CI',
      on: {
        pull_request: {},
        push: { branches: branches.length > 0 ? branches.map(literal) : ['**'] },
      },
      permissions: { contents: 'read' },
      concurrency: {
        group: 'ci-${{ github.event.pull_request.number || github.ref }}',
        'cancel-in-progress': "${{ github.event_name == 'pull_request' }}",
      },
      defaults: { run: { shell: 'bash' } },
      jobs,
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Test jobs

function testJob(g: TestGroup, paths: SpecPaths): Job {
  const dir = fromRoot(paths, g.context);
  const env = testEnvironment(g);
  const services = Object.fromEntries(g.dependencies.map((d) => [d.name, serviceContainer(d)]));
  return {
    name: `Test ${g.runtime} ${literal(g.version)} (${g.services.map((s) => s.name).join(', ')})`,
    'runs-on': RUNNER,
    'timeout-minutes': 30,
    permissions: { contents: 'read' },
    ...(g.dependencies.length > 0 ? { services } : {}),
    ...(Object.keys(env).length > 0 ? { env } : {}),
    ...runIn(dir),
    steps: [checkout(), ...(g.runtime === 'node' ? nodeTestSteps(g, dir) : pythonTestSteps(g, dir))],
  };
}

/** A throwaway dependency on localhost, healthy before the first step runs. */
function serviceContainer(d: CiDependency): Record<string, unknown> {
  const health = (cmd: string) =>
    `--health-cmd "${cmd}" --health-interval 10s --health-timeout 5s --health-retries 5`;
  if (d.type === 'postgres')
    return {
      image: `postgres:${literal(d.version)}`,
      env: { POSTGRES_USER: d.user, POSTGRES_PASSWORD: TEST_PASSWORD, POSTGRES_DB: d.database },
      ports: [`${d.port}:${d.containerPort}`],
      // TCP, not the socket: the image's init server listens on the socket only, so this passes
      // once the real server (with the user and database created) accepts connections.
      options: health('pg_isready -h 127.0.0.1'),
    };
  return {
    image: `redis:${literal(d.version)}`,
    ports: [`${d.port}:${d.containerPort}`],
    options: health('redis-cli ping'),
  };
}

const HAS_SCRIPT = `node -e 'process.exit(require("./package.json").scripts?.[process.argv[1]] ? 0 : 1)'`;

/** Run a package.json script, skipping it (with a note) when the package does not define it. */
function ifPresent(pm: PackageManager, name: string): string {
  if (pm === 'npm') return `npm run ${name} --if-present`;
  if (pm === 'pnpm') return `pnpm run --if-present ${name}`;
  return script(
    `if ${HAS_SCRIPT} ${name}; then`,
    `  yarn run ${name}`,
    'else',
    `  echo 'No "${name}" script in package.json: skipped'`,
    'fi',
  ).trimEnd();
}

function nodeTestSteps(g: TestGroup, dir: string): Step[] {
  const n = nodeInstall(g.install, dir);
  const builds = g.services.filter((s) => s.build?.buildCommand);
  const buildCommands = [...new Set(builds.map((s) => s.build?.buildCommand ?? ''))];
  return [
    ...nodeSteps(n, g.version),
    { name: 'Lint', run: script(ifPresent(n.pm, 'lint')) },
    {
      name: 'Type check',
      // `typecheck`, or `type-check` as some projects name it.
      run: script(
        'for name in typecheck type-check; do',
        `  if ${HAS_SCRIPT} "$name"; then`,
        `    ${n.pm} run "$name"`,
        '    exit 0',
        '  fi',
        'done',
        `echo 'No "typecheck" script in package.json: skipped'`,
      ),
    },
    { name: 'Test', run: script(ifPresent(n.pm, 'test')) },
    ...buildCommands.map((cmd) => ({
      name: `Build (${builds
        .filter((s) => s.build?.buildCommand === cmd)
        .map((s) => s.name)
        .join(', ')})`,
      run: script(literal(cmd)),
    })),
  ];
}

function pythonTestSteps(g: TestGroup, dir: string): Step[] {
  const requirements = /(?:^|\s)(?:-r|--requirement)[\s=]+(\S+)/.exec(g.install)?.[1];
  // The image's install skips pip's cache; CI keeps it, so setup-python can restore it.
  const install = g.install.replace(/\s+--no-cache-dir(?=\s|$)/g, '');
  const tool = (module: string, args: string, what: string) =>
    script(
      `if python -m ${module} --version >/dev/null 2>&1; then`,
      `  python -m ${module} ${args}`,
      'else',
      `  echo '${module} is not installed (add it to requirements-dev.txt): ${what} skipped'`,
      'fi',
    );
  return [
    {
      name: `Set up Python ${literal(g.version)}`,
      uses: ACTIONS.setupPython,
      with: {
        'python-version': literal(g.version),
        ...(requirements
          ? { cache: 'pip', 'cache-dependency-path': literal(posix.join(dir, requirements)) }
          : {}),
      },
    },
    {
      name: 'Install dependencies',
      run: script(
        literal(install),
        'if [ -f requirements-dev.txt ]; then pip install -r requirements-dev.txt; fi',
      ),
    },
    { name: 'Lint', run: tool('ruff', 'check .', 'lint') },
    { name: 'Type check', run: tool('mypy', '.', 'type check') },
    {
      name: 'Test',
      run: script(
        'if python -m pytest --version >/dev/null 2>&1; then',
        '  status=0',
        '  python -m pytest || status=$?',
        '  # 5: no tests were collected',
        '  if [ "$status" -ne 0 ] && [ "$status" -ne 5 ]; then exit "$status"; fi',
        'else',
        `  echo 'pytest is not installed (add it to requirements-dev.txt): tests skipped'`,
        'fi',
      ),
    },
  ];
}

// ---------------------------------------------------------------------------------------------------------
// The deployment architecture

function slipwayJob(models: readonly Model[], paths: SpecPaths): Job {
  const n = slipwayInstall(models, paths);
  return {
    name: 'Slipway: verify and plan',
    'runs-on': RUNNER,
    'timeout-minutes': 15,
    permissions: { contents: 'read' },
    ...runIn(paths.dir),
    steps: [
      checkout(),
      ...nodeSteps(n, SLIPWAY_NODE),
      { name: 'Verify every environment', run: script(slipway(paths, 'verify')) },
      { name: 'Plan every environment', run: script(slipway(paths, 'plan')) },
      {
        name: 'Check the committed plan is up to date',
        // Only when deploy/ is committed: a repository that generates it in CI has nothing to compare.
        run: script(
          `spec=${shellWord(paths.file)}`,
          'if [ -n "$(git ls-files -- deploy)" ] && [ -n "$(git status --porcelain --untracked-files=all -- deploy)" ]; then',
          `  echo "::error::deploy/ is not what $spec renders: run 'npx slipway plan $spec' and commit the result"`,
          '  git status --short -- deploy',
          '  exit 1',
          'fi',
        ),
      },
    ],
  };
}
