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
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect } from 'vitest';
import { parseAllDocuments, parseDocument } from 'yaml';
import { resolveEnvironment } from '../../src/model/resolve.ts';
import type { Model } from '../../src/model/types.ts';
import { buildHelmChart, type HelmChart } from '../../src/render/helm/index.ts';
import type { KubeObject } from '../../src/render/kubernetes/_object.ts';
import { type KubernetesInputs, renderKubernetes } from '../../src/render/kubernetes/index.ts';
import { loadSpecFile, parseSpec } from '../../src/spec/loader.ts';
import { validateObjects } from '../../src/verify/schema/kubernetes.ts';
import { requireEngine, run, tool } from './_engines.ts';

const helm = requireEngine('helm', () => tool('helm'));

// ---------------------------------------------------------------------------------------------------------
// The charts

interface Loaded {
  models: Model[];
  inputs: Map<string, KubernetesInputs>;
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

function loadFile(file: string): Loaded {
  const r = loadSpecFile(file);
  if (!r.loaded) throw new Error(`${file} does not load: ${JSON.stringify(r.diagnostics)}`);
  return fromSpec(r.loaded.spec, (p) => readFileSync(resolve(dirname(file), p), 'utf8'));
}

/** Template text in mounted files and values, block scalars, `<&>` in a hashed Job, mixed issuers, a patch, both blue-greens. */
const HOSTILE_FILES: Record<string, string> = {
  'nginx.conf':
    '# {{ .Values.secret }} and {{- end }}\nserver {\n  listen 8080;   \n\tlocation / { return 200 "{{ok}}"; }\n}\nyes: no\n\n\n',
  'odd.txt': '  leading spaces first line\n{{{{ odd }}}}\n',
  'sealed.yaml':
    'apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: edgecase-secrets\n  creationTimestamp: null\nspec:\n  encryptedData:\n    token: AgBy3i4OJSWK+PiTySYZZA9rO43cGDEq\n',
};
const HOSTILE_SPEC = `apiVersion: slipway.dev/v1
app: { name: edgecase, version: v2.0 }
services:
  edgecase:
    image: ghcr.io/acme/main:1.0
    ports: { http: 8080 }
    health: { http: { path: "/health?x={{y}}", port: http } }
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
    health: { http: { path: /ready, port: http } }
    command: ["sh", "-c", "echo '{{x}}' && test 1 -lt 2 > /dev/null"]
    volumes: { cache: { path: /cache, size: 1Gi } }
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
secrets: { token: {} }
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
  return fromSpec(r.loaded.spec, (p) => HOSTILE_FILES[p] ?? '');
}

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
