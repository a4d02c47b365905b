/**
 * actionlint judges the workflows Slipway writes: every example's ci.yml and deploy.yml, and a
 * synthetic spec that reaches what the examples do not (a compose deploy over SSH, a spec in a
 * subfolder, pnpm, Python, wildcard triggers, the default registry). It must report nothing,
 * scripts included (its shellcheck integration, when shellcheck is installed).
 *
 * Twice: as written (full version tags such as `@v6.0.2`), then with each action at its major tag
 * (`@v6`), the form actionlint's bundled action metadata knows, so every `with:` input is checked
 * against the action's real inputs too. A control run with a misspelt input proves that check bites.
 */
import { execFileSync } from 'node:child_process';
import { globSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { resolveEnvironment } from '../../src/model/resolve.ts';
import type { Model } from '../../src/model/types.ts';
import type { FileArtifact } from '../../src/render/artifact.ts';
import { renderWorkflows } from '../../src/render/ci/index.ts';
import { loadSpecFile, parseSpec } from '../../src/spec/loader.ts';
import { requireEngine, run, tool } from './_engines.ts';

const actionlint = requireEngine('actionlint', () => tool('actionlint'));

const shellcheck = (() => {
  try {
    return execFileSync('sh', ['-c', 'command -v shellcheck'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
})();
if (!shellcheck)
  console.warn(
    'actionlint runs WITHOUT shellcheck (not installed): run: scripts are not linted (-shellcheck=)',
  );

const SYNTHETIC = `apiVersion: slipway.dev/v1
app:
  name: shop
services:
  web:
    build:
      preset: nextjs
      context: ./web
      install: pnpm install --frozen-lockfile
      args: { NEXT_PUBLIC_API: "https://api.example.com" }
    ports: { http: 3000 }
    env:
      DATABASE_URL: \${dependencies.main.url}
      CACHE_URL: redis://\${dependencies.cache.host}:\${dependencies.cache.port}/1
    uses: [main, cache]
  api:
    build:
      preset: python
      context: api
    ports: { http: 8000 }
    env:
      ANALYTICS_DSN: \${dependencies.analytics.url}
  tools:
    kind: worker
    build:
      context: tools
      dockerfile: build/Dockerfile
      target: release
dependencies:
  main: { type: postgres, version: "16" }
  analytics: { type: postgres, version: "17" }
  cache: { type: redis, version: "8.0" }
environments:
  dev:
    target: compose
    profile: development
  qa:
    target: compose
    profile: production
    deployOn: { branch: "release/*" }
    secrets: { source: env-file, file: .env.qa }
  live:
    target: kubernetes
    deployOn: { branch: main, tag: "v*" }
    approval: true
    images:
      registry: registry.example.com/shop
`;

function models(spec: { spec: Parameters<typeof resolveEnvironment>[0] }): Model[] {
  return Object.keys(spec.spec.environments).map((env) => resolveEnvironment(spec.spec, env));
}

const cases: { name: string; files: FileArtifact[] }[] = [
  ...globSync('examples/*/slipway.yaml')
    .sort()
    .map((file) => {
      const r = loadSpecFile(file);
      if (!r.loaded) throw new Error(`${file} does not load`);
      return {
        name: file.split('/')[1] as string,
        files: renderWorkflows(models(r.loaded), { specPath: 'slipway.yaml' }),
      };
    }),
  (() => {
    const r = parseSpec('apps/shop/slipway.yaml', SYNTHETIC);
    if (!r.loaded) throw new Error(`the synthetic spec does not load: ${JSON.stringify(r.diagnostics)}`);
    return {
      name: 'synthetic (apps/shop)',
      files: renderWorkflows(models(r.loaded), { specPath: 'apps/shop/slipway.yaml' }),
    };
  })(),
];

const root = mkdtempSync(join(tmpdir(), 'slipway-actionlint-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
/** Writes the files under a fresh repository-like folder and runs actionlint on them. */
async function lint(
  files: { path: string; content: string }[],
): Promise<{ code: number | null; out: string }> {
  const dir = join(root, String(n++));
  const paths = files.map((f) => {
    const p = join(dir, f.path);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, f.content);
    return p;
  });
  const args = [
    '-no-color',
    '-oneline',
    '-pyflakes=',
    ...(shellcheck ? [`-shellcheck=${shellcheck}`] : ['-shellcheck=']),
    ...paths,
  ];
  const r = await run(actionlint.value, args, { cwd: dir });
  return { code: r.code, out: `${r.stdout}${r.stderr}`.replaceAll(`${dir}/`, '') };
}

/** Each `owner/repo@vX.Y.Z` at its major tag, the form actionlint's action metadata is keyed by. */
function atMajor(content: string): string {
  return content.replace(/(uses: [\w.-]+\/[\w.-]+@v\d+)\.\d+\.\d+/g, '$1');
}

describe('actionlint on the generated workflows', () => {
  for (const c of cases) {
    actionlint.it(`${c.name}: reports nothing`, async () => {
      const r = await lint(c.files);
      expect(r.out).toBe('');
      expect(r.code).toBe(0);
    });

    actionlint.it(`${c.name}: reports nothing with the actions' inputs checked (major tags)`, async () => {
      const r = await lint(c.files.map((f) => ({ path: f.path, content: atMajor(f.content) })));
      expect(r.out).toBe('');
      expect(r.code).toBe(0);
    });
  }

  actionlint.it('control: a misspelt action input is reported', async () => {
    const vibeyard = cases.find((c) => c.name === 'vibeyard');
    const deploy = vibeyard?.files.find((f) => f.path.endsWith('deploy.yml'));
    if (!deploy) throw new Error('vibeyard has no deploy.yml');
    const r = await lint([
      { path: deploy.path, content: atMajor(deploy.content).replace('cache-from:', 'cache-frm:') },
    ]);
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('input "cache-frm" is not defined in action "docker/build-push-action@v7"');
  });

  actionlint.it('control: a script error is reported (shellcheck runs)', async () => {
    if (!shellcheck) return;
    const vibeyard = cases.find((c) => c.name === 'vibeyard');
    const ci = vibeyard?.files.find((f) => f.path.endsWith('ci.yml'));
    if (!ci) throw new Error('vibeyard has no ci.yml');
    const r = await lint([
      { path: ci.path, content: ci.content.replace('exit 1\n', 'exit 1\n          rm -rf $spec/x\n') },
    ]);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/shellcheck reported issue in this script: SC2086/);
  });
});
