/**
 * The Helm chart, judged by Helm itself (v3.22, installed by test/e2e/scripts/install-tools.sh):
 *
 *   - the invariant: for every example, every valid fixture and a hostile spec, and every kubernetes
 *     environment of each, `helm template <release> <chart> -f values-<env>.yaml --namespace <ns>
 *     --skip-tests` gives exactly the objects `renderKubernetes` gives (parsed as Go tools parse
 *     YAML, compared whole: no field ignored, no label or annotation excepted);
 *   - `helm lint --strict <chart> -f values-<env>.yaml` is clean (no warning, no error);
 *   - the `helm test` hooks are the only other objects, hardened and schema-valid;
 *   - values.schema.json is enforced: `helm template` refuses values that break it;
 *   - a CI image override (`--set-string services.<s>.image.tag=<sha>`, seed 001's deploy job)
 *     renders what Slipway renders for that tag — deploy-hook Jobs renamed by their content.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { Model } from '../../src/model/types.ts';
import { buildHelmChart, type HelmChart } from '../../src/render/helm/index.ts';
import type { KubeObject } from '../../src/render/kubernetes/_object.ts';
import { renderKubernetes } from '../../src/render/kubernetes/index.ts';
import { validateObjects } from '../../src/verify/schema/kubernetes.ts';
import { requireEngine, run, tool } from './_engines.ts';

const helm = requireEngine('helm', () => tool('helm'));

// ---------------------------------------------------------------------------------------------------------
// The charts

import { type Loaded, loadFile, loadHostile } from '../render/_helm-fixtures.ts';

interface Case {
  name: string;
  dir: string;
  loaded: Loaded;
  chart: HelmChart;
}

const WORK = mkdtempSync(join(tmpdir(), 'slipway-helm-'));
const SOURCES: [string, () => Loaded][] = [
  ...['autodevhub', 'codequal', 'devportal', 'plugin-portal', 'vibeyard'].map(
    (e) => [e, () => loadFile(`examples/${e}/slipway.yaml`)] as [string, () => Loaded],
  ),
  ...['blog', 'saas', 'shop'].map(
    (f) => [`fixture-${f}`, () => loadFile(`test/fixtures/valid/${f}.yaml`)] as [string, () => Loaded],
  ),
  ['hostile', loadHostile],
];
const CASES: Case[] = SOURCES.map(([name, load]) => {
  const loaded = load();
  const chart = buildHelmChart(loaded.models, loaded.inputs);
  const dir = join(WORK, name);
  for (const f of chart.files) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.content);
  }
  return { name, dir, loaded, chart };
});
const ENVS = CASES.flatMap((c) =>
  c.loaded.models.map((model) => ({ c, model, env: model.environment.name })),
);

// ---------------------------------------------------------------------------------------------------------
// Helm

/** YAML as sigs.k8s.io/yaml (go-yaml v2, YAML 1.1) reads it, timestamps kept as strings. */
function parseAsGo(text: string): KubeObject[] {
  return parseAllDocuments(text, {
    version: '1.1',
    customTags: (tags) =>
      tags.filter(
        (t) => typeof t === 'string' || (t.format !== 'TIME' && t.tag !== 'tag:yaml.org,2002:timestamp'),
      ),
  })
    .map((d) => {
      if (d.errors.length > 0) throw new Error(`helm printed invalid YAML: ${d.errors[0]?.message}`);
      return d.toJS() as KubeObject | null;
    })
    .filter((o): o is KubeObject => o !== null);
}

const key = (o: KubeObject) => `${o.kind}/${o.metadata.name}`;
const byKey = (l: KubeObject[]) =>
  Object.fromEntries(
    l.map((o) => [key(o), JSON.parse(JSON.stringify(o))]).sort(([a], [b]) => (a < b ? -1 : 1)),
  );

async function template(c: Case, env: string, namespace: string, ...extra: string[]) {
  return run(helm.value, [
    'template',
    'release-under-test',
    c.dir,
    '-f',
    join(c.dir, `values-${env}.yaml`),
    '--namespace',
    namespace,
    ...extra,
  ]);
}

const isTestHook = (o: KubeObject) => o.metadata.annotations?.['helm.sh/hook'] === 'test';

// ---------------------------------------------------------------------------------------------------------

describe('helm template reproduces slipway render, and helm lint --strict is clean', () => {
  for (const { c, model, env } of ENVS) {
    const id = `${c.name}/${env}`;
    const ns = model.environment.namespace;
    const want = () => renderKubernetes(model, c.loaded.inputs.get(env) ?? { files: new Map() }).objects;

    helm.it(`${id}: helm template gives exactly the rendered objects`, async () => {
      expect(c.chart.problems).toEqual([]);
      const r = await template(c, env, ns, '--skip-tests');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const got = parseAsGo(r.stdout);
      expect(got.length).toBe(want().length);
      expect(byKey(got)).toEqual(byKey(want()));
    });

    helm.it(`${id}: helm lint --strict is clean`, async () => {
      const r = await run(helm.value, ['lint', '--strict', c.dir, '-f', join(c.dir, `values-${env}.yaml`)]);
      expect(r.stdout.split('\n').filter((l) => /\[(WARNING|ERROR)\]/.test(l))).toEqual([]);
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(r.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    });

    helm.it(`${id}: the only other objects are hardened, schema-valid helm test hooks`, async () => {
      const r = await template(c, env, ns);
      expect(r.code, r.stderr).toBe(0);
      const wanted = new Set(want().map(key));
      const extra = parseAsGo(r.stdout).filter((o) => !wanted.has(key(o)));
      expect(extra.every(isTestHook)).toBe(true);
      const routed = want().some((o) => o.kind === 'Ingress');
      const policies = want().some((o) => o.kind === 'NetworkPolicy');
      const testFiles = c.chart.files.filter((f) => f.path.startsWith('templates/tests/')).length;
      const pods = extra.filter((o) => o.kind === 'Pod');
      expect(pods).toHaveLength(routed ? testFiles : 0);
      expect(extra.filter((o) => o.kind === 'NetworkPolicy')).toHaveLength(
        routed && policies ? 2 * testFiles : 0,
      );
      for (const p of pods) {
        const spec = p.spec as any;
        expect(spec.securityContext).toMatchObject({
          runAsNonRoot: true,
          seccompProfile: { type: 'RuntimeDefault' },
        });
        expect(spec.containers[0].securityContext).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
        expect(spec.containers[0].image).toMatch(/^curlimages\/curl:\d+\.\d+\.\d+$/);
        expect(p.metadata.annotations?.['helm.sh/hook-delete-policy']).toBe(
          'before-hook-creation,hook-succeeded',
        );
      }
      expect(validateObjects(extra, { kubernetesVersion: model.environment.kubernetesVersion })).toEqual([]);
    });
  }
});

describe('values.schema.json is enforced by helm', () => {
  const c = CASES.find((x) => x.name === 'vibeyard') as Case;
  const write = (name: string, text: string) => {
    const p = join(WORK, name);
    writeFileSync(p, text);
    return p;
  };

  helm.it('helm template refuses a values file that breaks the schema, and names the field', async () => {
    const cases: [string, string, RegExp][] = [
      ['negative-replicas.yaml', 'services:\n  web:\n    replicas: -1\n', /\/services\/web\/replicas/],
      ['unknown-key.yaml', 'servces:\n  web: {}\n', /additional propert/],
      ['bad-enum.yaml', 'images:\n  pullPolicy: Sometimes\n', /\/images\/pullPolicy/],
      ['bad-mode.yaml', 'dependencies:\n  db:\n    mode: managed\n', /\/dependencies\/db\/mode/],
      [
        'bad-quantity.yaml',
        'services:\n  web:\n    resources:\n      limits: { cpu: lots }\n',
        /\/services\/web\/resources/,
      ],
    ];
    for (const [name, text, where] of cases) {
      const r = await template(c, 'staging', 'staging', '-f', write(name, text));
      expect(r.code, name).not.toBe(0);
      expect(r.stderr, name).toContain("values don't meet the specifications of the schema");
      expect(r.stderr, name).toMatch(where);
    }
    // Without an environment's values file the chart refuses too: environment-specific values are required.
    const bare = await run(helm.value, ['template', 'r', c.dir, '--namespace', 'staging']);
    expect(bare.code).not.toBe(0);
    expect(bare.stderr).toMatch(/missing propert/);
  });

  helm.it('an image tag must be a string: --set is refused, --set-string accepted', async () => {
    const number = await template(c, 'staging', 'staging', '--set', 'services.web.image.tag=123');
    expect(number.code).not.toBe(0);
    expect(number.stderr).toMatch(/\/services\/web\/image\/tag/);
    const string = await template(
      c,
      'staging',
      'staging',
      '--set-string',
      'services.web.image.tag=123',
      '--skip-tests',
    );
    expect(string.code, string.stderr).toBe(0);
  });
});

describe('a CI image override renders what Slipway renders for that tag', () => {
  helm.it(
    'vibeyard staging with --set-string services.web.image.tag=<sha> (seed 001 deploy.yml)',
    async () => {
      const c = CASES.find((x) => x.name === 'vibeyard') as Case;
      const staging = c.loaded.models.find((m) => m.environment.name === 'staging') as Model;
      const sha = '3f9c2e1';
      const web = staging.services.find((s) => s.name === 'web')?.image ?? '';
      const retagged: Model = {
        ...staging,
        services: staging.services.map((s) =>
          s.image === web ? { ...s, image: `${web.replace(/:[^:/]+$/, '')}:${sha}` } : s,
        ),
      };
      const want = renderKubernetes(retagged, c.loaded.inputs.get('staging') ?? { files: new Map() }).objects;
      const before = renderKubernetes(
        staging,
        c.loaded.inputs.get('staging') ?? { files: new Map() },
      ).objects;
      const job = (l: KubeObject[]) => l.find((o) => o.kind === 'Job')?.metadata.name;
      expect(job(want)).not.toBe(job(before));
      const r = await template(
        c,
        'staging',
        'staging',
        '--skip-tests',
        '--set-string',
        `services.web.image.tag=${sha}`,
      );
      expect(r.code, r.stderr).toBe(0);
      expect(byKey(parseAsGo(r.stdout))).toEqual(byKey(want));
    },
  );
});
