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
import { dirname, join, relative, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse, parseDocument } from 'yaml';
import { resolveEnvironment } from '../../src/model/resolve.ts';
import type { Model } from '../../src/model/types.ts';
import { buildHelmChart, type HelmChart, renderHelmChart } from '../../src/render/helm/index.ts';
import type { KubeObject } from '../../src/render/kubernetes/_object.ts';
import { type KubernetesInputs, renderKubernetes } from '../../src/render/kubernetes/index.ts';
import { loadSpecFile, parseSpec } from '../../src/spec/loader.ts';

const update = process.env.UPDATE_GOLDEN === '1';

interface Loaded {
  models: Model[];
  inputs: Map<string, KubernetesInputs>;
}

/** A spec's kubernetes environments and their inputs, read as the CLI reads them. */
function loadFile(file: string): Loaded {
  const r = loadSpecFile(file);
  if (!r.loaded) throw new Error(`${file} does not load: ${JSON.stringify(r.diagnostics)}`);
  return fromSpec(r.loaded.spec, (p) => readFileSync(resolve(dirname(file), p), 'utf8'));
}

function fromSpec(spec: Parameters<typeof resolveEnvironment>[0], read: (path: string) => string): Loaded {
  const models: Model[] = [];
  const inputs = new Map<string, KubernetesInputs>();
  for (const env of Object.keys(spec.environments)) {
    if (spec.environments[env]?.target !== 'kubernetes') continue;
    const model = resolveEnvironment(spec, env);
    const files = new Map<string, string>();
    for (const s of model.services) for (const f of s.files) files.set(f.source, read(f.source));
    const src = model.environment.secretSource;
    const sealedSecret =
      src.type === 'sealed-secrets' && src.file
        ? (parseDocument(read(src.file)).toJS() as KubeObject)
        : undefined;
    models.push(model);
    inputs.set(env, sealedSecret ? { files, sealedSecret } : { files });
  }
  return { models, inputs };
}

/** A spec that exercises what the examples do not: template text in files and values, block scalars, Argo and plain blue-green, mixed issuers, a patch in one environment, a digest image, sqlite. */
const HOSTILE_FILES: Record<string, string> = {
  'nginx.conf':
    '# a mounted file with template-looking text: {{ .Values.secret }} and {{- end }}\nserver {\n  listen 8080;   \n\tlocation / { return 200 "{{ok}}"; }\n}\nyes: no\n\n\n',
  'odd.txt': '  leading spaces first line\n{{{{ odd }}}}\n',
  'sealed.yaml':
    'apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: edgecase-secrets\n  creationTimestamp: null\nspec:\n  encryptedData:\n    token: AgBy3i4OJSWK+PiTySYZZA9rO43cGDEq\n  template:\n    metadata:\n      name: edgecase-secrets\n      creationTimestamp: null\n',
};
const HOSTILE_SPEC = `apiVersion: slipway.dev/v1
app: { name: edgecase, version: v2.0 }
services:
  edgecase:
    image: ghcr.io/acme/main:1.0
    ports: { http: 8080 }
    health:
      http: { path: "/health?x={{y}}", port: http }
    env:
      TEMPLATE_TEXT: "{{ .Values.nope }} and \${services.side.url}"
      BOOLISH: "yes"
      NUMISH: "0755"
      TOKEN: \${secrets.token}
      DB: \${dependencies.db.url}
    files:
      - { source: nginx.conf, target: /etc/nginx/nginx.conf }
      - { source: odd.txt, target: /etc/odd.txt }
    replicas: 2
    rollout: { strategy: blue-green, autoPromote: false }
    sessionAffinity: true
    metrics: { path: /metrics, port: http }
  side:
    image: ghcr.io/acme/side@sha256:4f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c
    ports: { http: 9000 }
    health:
      http: { path: /ready, port: http }
    command: ["sh", "-c", "echo '{{x}}' && test 1 -lt 2 > /dev/null"]
    volumes:
      cache: { path: /cache, size: 1Gi }
  nightly:
    kind: cron
    image: ghcr.io/acme/nightly:1.0
    schedule: "0 3 * * *"
    command: ["run", "{{ nightly }}"]
  migrate:
    kind: job
    image: ghcr.io/acme/main:1.0
    command: ["migrate", "a<b&c>d"]
    hook: { phase: pre-deploy, order: 0, deadline: 5m, retries: 1 }
dependencies:
  db: { type: postgres, version: "16" }
ingress:
  className: nginx
  hosts: [a.example.com]
  routes:
    - { path: /, service: edgecase, port: http }
    - { path: /side, service: side, port: http, host: side.example.com }
  maxBodySize: 10Mi
  securityHeaders: true
secrets:
  token: {}
monitoring: { enabled: true, dashboards: true }
environments:
  one:
    target: kubernetes
    namespace: ns-one
    capabilities: [cert-manager, prometheus-operator, sealed-secrets]
    hosts: [one.example.com]
    ingress: { tls: { issuer: corp-ca, issuerKind: Issuer } }
    secrets: { source: sealed-secrets, file: sealed.yaml }
    dependencies: { db: { mode: sqlite, sqlitePath: /data/db.sqlite } }
  two:
    target: kubernetes
    namespace: two
    capabilities: [cert-manager, vpa]
    hosts: [two.example.com, www.two.example.com]
    ingress: { tls: { issuer: letsencrypt, issuerKind: ClusterIssuer } }
    security: { networkPolicy: open }
    patches:
      kubernetes:
        - target: { kind: Deployment }
          merge: { metadata: { annotations: { "team": "{{ platform }}" } } }
  three:
    target: kubernetes
    namespace: three
    capabilities: [argo-rollouts]
    ingress: { tls: { secret: my-tls } }
`;

function loadHostile(): Loaded {
  const r = parseSpec('slipway.yaml', HOSTILE_SPEC);
  if (!r.loaded) throw new Error(JSON.stringify(r.diagnostics));
  return fromSpec(r.loaded.spec, (p) => {
    const f = HOSTILE_FILES[p];
    if (f === undefined) throw new Error(`no file ${p}`);
    return f;
  });
}

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
