/**
 * The Helm chart renderer, without Helm (test/e2e/helm.test.ts runs the real one):
 *
 *   - goldens: every example's chart, file by file, under test/golden/<example>/helm/ (written on
 *     first run or with UPDATE_GOLDEN=1; review the diff by eye — it is what users install);
 *   - the invariant, evaluated: each template rendered with values.yaml merged with
 *     values-<env>.yaml (merged here as Helm merges them) gives exactly renderKubernetes's objects,
 *     for every example, the valid fixtures and a hostile spec;
 *   - values.schema.json (ajv, draft-07 as Helm reads it) accepts every environment's values and
 *     rejects wrong ones;
 *   - determinism, `{{` escaping, Chart.yaml, the `helm test` hooks, and refusals.
 */
import { existsSync, globSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildHelmChart, type HelmChart, renderHelmChart } from '../../src/render/helm/index.ts';
import type { KubeObject } from '../../src/render/kubernetes/_object.ts';
import { renderKubernetes } from '../../src/render/kubernetes/index.ts';

const update = process.env.UPDATE_GOLDEN === '1';

import { type Loaded, loadFile, loadHostile } from './_helm-fixtures.ts';

const EXAMPLES = globSync('examples/*/slipway.yaml')
  .sort()
  .map((f) => [f.split('/')[1] as string, f] as const);
const FIXTURES = [
  'test/fixtures/valid/blog.yaml',
  'test/fixtures/valid/saas.yaml',
  'test/fixtures/valid/shop.yaml',
];

const charts = new Map<string, { loaded: Loaded; chart: HelmChart }>();
function chartOf(name: string, load: () => Loaded) {
  let c = charts.get(name);
  if (!c) {
    const loaded = load();
    c = { loaded, chart: buildHelmChart(loaded.models, loaded.inputs) };
    charts.set(name, c);
  }
  return c;
}
const ALL: [string, () => Loaded][] = [
  ...EXAMPLES.map(([n, f]) => [n, () => loadFile(f)] as [string, () => Loaded]),
  ...FIXTURES.map((f) => [`fixture ${f.split('/').pop()}`, () => loadFile(f)] as [string, () => Loaded]),
  ['hostile spec', loadHostile],
];

/** YAML as Helm reads values files (go-yaml, YAML 1.1). */
const readYaml = (text: string) => parse(text, { version: '1.1' }) as Record<string, unknown> | null;

/** Helm's coalescing of a values file over the chart's values: maps merge, null deletes, the rest replaces. */
function helmMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(base);
  for (const [k, v] of Object.entries(over)) {
    const cur = out[k];
    if (v === null) delete out[k];
    else if (isMap(v) && isMap(cur)) out[k] = helmMerge(cur, v);
    else out[k] = structuredClone(v);
  }
  return out;
}
const isMap = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

function file(chart: HelmChart, path: string): string {
  const f = chart.files.find((x) => x.path === path);
  if (!f) throw new Error(`the chart has no ${path}`);
  return f.content;
}

/** What Helm validates and renders with: values.yaml merged with values-<env>.yaml, both read from the files. */
function valuesFromFiles(chart: HelmChart, env: string): Record<string, unknown> {
  return helmMerge(
    readYaml(file(chart, 'values.yaml')) ?? {},
    readYaml(file(chart, `values-${env}.yaml`)) ?? {},
  );
}

const key = (o: KubeObject) => `${o.kind}/${o.metadata.name}`;
const sorted = (l: KubeObject[]) =>
  [...l].map((o) => JSON.parse(JSON.stringify(o)) as KubeObject).sort((a, b) => (key(a) < key(b) ? -1 : 1));

describe('helm chart: golden files of every example', () => {
  it('covers every example', () => {
    expect(EXAMPLES.map(([n]) => n)).toEqual([
      'autodevhub',
      'codequal',
      'devportal',
      'plugin-portal',
      'vibeyard',
    ]);
  });

  it.each(EXAMPLES)('%s', (example, specFile) => {
    const { chart } = chartOf(example, () => loadFile(specFile));
    expect(chart.problems).toEqual([]);
    const dir = join('test/golden', example, 'helm');
    if (update) rmSync(dir, { recursive: true, force: true });
    const written = new Set<string>();
    for (const f of chart.files) {
      const path = join(dir, f.path);
      written.add(path);
      if (update || !existsSync(path)) {
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, f.content);
      }
      expect(f.content, f.path).toBe(readFileSync(path, 'utf8'));
    }
    const stale = globSync(`${dir}/**/*`, { withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => join(relative(process.cwd(), d.parentPath), d.name))
      .filter((p) => !written.has(p));
    expect(stale, 'golden files the chart no longer has (UPDATE_GOLDEN=1 removes them)').toEqual([]);
  });
});

describe('helm chart: the invariant, evaluated', () => {
  describe.each(ALL)('%s', (name, load) => {
    it('reproduces every environment exactly from values.yaml + values-<env>.yaml', () => {
      const { loaded, chart } = chartOf(name, load);
      expect(chart.problems).toEqual([]);
      expect(chart.envs.length).toBeGreaterThan(0);
      for (const m of loaded.models) {
        const env = m.environment.name;
        // The files, read back and merged as Helm merges them, are the values the chart was checked with.
        expect(valuesFromFiles(chart, env), env).toEqual(chart.merged.get(env));
        const want = renderKubernetes(m, loaded.inputs.get(env) ?? { files: new Map() }).objects;
        expect(sorted(chart.render(env)), env).toEqual(sorted(want));
      }
    });

    it('values.schema.json accepts every environment and is draft-07', () => {
      const { chart } = chartOf(name, load);
      const schema = JSON.parse(file(chart, 'values.schema.json'));
      expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
      const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
      for (const env of chart.envs) {
        const ok = validate(valuesFromFiles(chart, env));
        expect(validate.errors ?? [], env).toEqual([]);
        expect(ok).toBe(true);
      }
    });
  });
});

describe('helm chart: values', () => {
  const { chart } = chartOf('vibeyard', () => loadFile('examples/vibeyard/slipway.yaml'));
  const validate = new Ajv({ strict: false, allErrors: true }).compile(
    JSON.parse(file(chart, 'values.schema.json')),
  );
  const prod = () => valuesFromFiles(chart, 'prod') as any;

  it('has one values file per kubernetes environment (the seed asks values-dev/staging/prod)', () => {
    expect(chart.files.map((f) => f.path).filter((p) => p.startsWith('values'))).toEqual([
      'values-minikube.yaml',
      'values-prod.yaml',
      'values-staging.yaml',
      'values.schema.json',
      'values.yaml',
    ]);
  });

  it('keeps in values.yaml only what every environment shares, and per environment only what differs', () => {
    const defaults = readYaml(file(chart, 'values.yaml')) as any;
    expect(defaults.services.web.image).toEqual({ repository: 'ghcr.io/your-org/vibeyard-web' });
    expect(defaults.environment).toBeUndefined();
    const minikube = readYaml(file(chart, 'values-minikube.yaml')) as any;
    expect(minikube.services.web.image).toEqual({ tag: 'local' });
    expect(minikube.images).toEqual({ pullPolicy: 'Never' });
    // Services running another service's image (imageFrom) read that service's image values: built once.
    expect(minikube.services.worker.image).toBeUndefined();
    expect(file(chart, 'templates/deployment-worker.yaml')).toContain('$.Values.services.web.image');
  });

  it('names the tunables and switches semantically', () => {
    const v = prod();
    expect(v.services.web.autoscaling).toEqual({ enabled: true, min: 3, max: 10, cpu: 70, memory: 80 });
    expect(v.services.web.vpa.enabled).toBe(true);
    expect(v.services.worker.queueScaling).toMatchObject({ enabled: true, min: 2, max: 10, targetDepth: 20 });
    expect(v.dependencies.db.mode).toBe('external');
    expect(v.monitoring.enabled).toBe(true);
    expect(v.networkPolicy.enabled).toBe(true);
    expect(v.ingress).toMatchObject({ enabled: true, hosts: ['vibeyard.example.com'] });
    expect(v.ingress.tls).toMatchObject({
      enabled: true,
      issuer: 'letsencrypt-prod',
      secretName: 'vibeyard-tls',
    });
    expect(v.services.web.resources).toEqual({
      requests: { cpu: '250m', memory: '512Mi' },
      limits: { cpu: '1000m', memory: '1Gi' },
    });
    expect(v.namespace).toEqual({ create: true, name: 'production' });
    expect(v.environment).toBe('prod');
    expect(file(chart, 'templates/statefulset-db.yaml')).toMatch(
      /^\{\{- if eq \$\.Values\.dependencies\.db\.mode "self-hosted" \}\}/,
    );
  });

  it('the schema rejects what Helm must refuse', () => {
    const bad = (mutate: (v: any) => void) => {
      const v = prod();
      mutate(v);
      return validate(v);
    };
    expect(bad(() => {})).toBe(true);
    expect(bad((v) => (v.services.web.replicas = -1))).toBe(false);
    expect(bad((v) => (v.services.web.autoscaling.min = 0))).toBe(false);
    expect(bad((v) => (v.services.web.image.tag = 123))).toBe(false);
    expect(bad((v) => (v.images.pullPolicy = 'Sometimes'))).toBe(false);
    expect(bad((v) => (v.dependencies.db.mode = 'managed'))).toBe(false);
    expect(bad((v) => (v.services.web.resources.limits.cpu = 'lots'))).toBe(false);
    expect(bad((v) => (v.services.web.replicaz = 2))).toBe(false);
    expect(bad((v) => delete v.environment)).toBe(false);
    // Values templates test for presence are never required: unsetting them is legitimate.
    expect(bad((v) => delete v.ingress.tls.issuer)).toBe(true);
    expect(bad((v) => delete v.services.web.autoscaling.memory)).toBe(true);
  });

  it('a values file of a single-environment chart is empty: everything is shared', () => {
    const { chart: devportal } = chartOf('devportal', () => loadFile('examples/devportal/slipway.yaml'));
    expect(file(devportal, 'values-prod.yaml')).toMatch(/\n\{\}\n$/);
  });
});

describe('helm chart: templates', () => {
  const { chart } = chartOf('vibeyard', () => loadFile('examples/vibeyard/slipway.yaml'));

  it('is a real chart: Chart.yaml v2, helpers that truncate names, NOTES, one template per object', () => {
    const meta = readYaml(file(chart, 'Chart.yaml')) as any;
    expect(meta).toMatchObject({
      apiVersion: 'v2',
      name: 'vibeyard',
      version: '1.0.0',
      appVersion: '1.0.0',
      type: 'application',
    });
    const helpers = file(chart, 'templates/_helpers.tpl');
    expect(helpers).toContain('define "vibeyard.name"');
    expect(helpers).toContain('define "vibeyard.fullname"');
    expect(helpers).toContain('define "vibeyard.labels"');
    expect(helpers.match(/trunc 63 \| trimSuffix "-"/g)?.length).toBeGreaterThanOrEqual(2);
    const notes = file(chart, 'templates/NOTES.txt');
    expect(notes).toContain('rollout status deployment/vibeyard-web');
    expect(notes).toContain('helm test {{ .Release.Name }}');
    const objects = chart.templates.length;
    expect(chart.files.filter((f) => /^templates\/[^/_]+\.yaml$/.test(f.path))).toHaveLength(objects);
    expect(file(chart, 'templates/deployment-web.yaml')).toContain(
      '{{- include "vibeyard.labels" (list $ "web")',
    );
  });

  it('names Jobs by their content inside Helm, as Slipway does, so a new image tag is a new Job', () => {
    const job = file(chart, 'templates/job-migrate.yaml');
    expect(job).toContain('define "vibeyard.migrate.podTemplate"');
    expect(job).toContain('include "vibeyard.contentHash"');
  });

  it('adds a hardened `helm test` pod per public service, with NetworkPolicy hooks under zero trust', () => {
    const tests = chart.files.filter((f) => f.path.startsWith('templates/tests/'));
    expect(tests.map((f) => f.path)).toEqual(['templates/tests/test-web.yaml']);
    const docs = (tests[0]?.content ?? '').split(/^---$/m);
    expect(docs).toHaveLength(3);
    const pod = docs[0] ?? '';
    expect(pod).toContain('helm.sh/hook: test');
    expect(pod).toContain('helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded');
    expect(pod).toContain('include "vibeyard.image" $.Values.tests.image');
    expect(pod).toMatch(
      /allowPrivilegeEscalation: false[\s\S]*readOnlyRootFilesystem: true[\s\S]*drop:\n\s+- ALL/,
    );
    expect(pod).toContain('runAsNonRoot: true');
    expect(pod).toContain('type: RuntimeDefault');
    expect(pod).toContain('http://vibeyard-web:3000/');
    expect(docs[1]).toContain('helm.sh/hook-weight: "-1"');
    expect((readYaml(file(chart, 'values.yaml')) as any).tests.image).toEqual({
      repository: 'curlimages/curl',
      tag: '8.11.1',
    });
    // An http health check is requested with --fail; devportal's is /healthcheck.
    const { chart: devportal } = chartOf('devportal', () => loadFile('examples/devportal/slipway.yaml'));
    const check = file(devportal, 'templates/tests/test-devportal.yaml');
    expect(check).toContain('- --fail');
    expect(check).toContain('http://devportal:7007/healthcheck');
  });

  it('escapes {{ in object text so Helm prints it verbatim', () => {
    const { chart: hostile } = chartOf('hostile spec', loadHostile);
    const files = file(hostile, 'templates/configmap-files.yaml');
    expect(files).toContain('{{"{{"}} .Values.secret }}');
    expect(files).not.toMatch(/[^"]\{\{ \.Values\.secret/);
    // Grafana dashboards and PromQL carry the namespace as template text, the rest verbatim.
    const { chart: vibeyard } = chartOf('vibeyard', () => loadFile('examples/vibeyard/slipway.yaml'));
    expect(file(vibeyard, 'templates/prometheusrule-alerts.yaml')).toContain(
      'namespace=\\"{{ $.Release.Namespace }}\\"',
    );
  });

  it('is deterministic', () => {
    for (const [name, load] of ALL) {
      const a = load();
      const b = load();
      const x = renderHelmChart(a.models, a.inputs);
      const y = renderHelmChart(b.models, b.inputs);
      expect(y, name).toEqual(x);
    }
  });
});

describe('helm chart: refusals and notes', () => {
  it('needs a kubernetes environment, and one app', () => {
    expect(renderHelmChart([], new Map()).problems.map((p) => p.message)).toEqual([
      'no kubernetes environment: a Helm chart is rendered from the kubernetes environments',
    ]);
    const a = loadFile('examples/vibeyard/slipway.yaml');
    const b = loadFile('examples/devportal/slipway.yaml');
    const mixed = renderHelmChart([...a.models, ...b.models], new Map([...a.inputs, ...b.inputs]));
    expect(mixed.files).toEqual([]);
    expect(mixed.problems[0]?.message).toMatch(/different apps/);
  });

  it('keeps a semver app.version as the chart version, else 0.1.0 with a note', () => {
    const { chart } = chartOf('hostile spec', loadHostile);
    const meta = readYaml(file(chart, 'Chart.yaml')) as any;
    expect(meta.version).toBe('0.1.0');
    expect(meta.appVersion).toBe('v2.0');
    expect(chart.notes.some((n) => n.includes('not semantic versioning'))).toBe(true);
  });

  it('says how to install, and what Helm does differently from slipway deploy', () => {
    const { chart } = chartOf('vibeyard', () => loadFile('examples/vibeyard/slipway.yaml'));
    expect(chart.notes.join('\n')).toContain(
      'helm upgrade --install vibeyard . --namespace dev --take-ownership -f values-minikube.yaml',
    );
    expect(chart.notes.join('\n')).toMatch(/deploy-hook Jobs \(migrate\)/);
  });
});
