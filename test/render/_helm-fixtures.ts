/** Specs and inputs the Helm tests share: the unit suite evaluates the chart, the e2e suite runs helm on it. */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { resolveEnvironment } from '../../src/model/resolve.ts';
import type { Model } from '../../src/model/types.ts';
import type { KubeObject } from '../../src/render/kubernetes/_object.ts';
import type { KubernetesInputs } from '../../src/render/kubernetes/index.ts';
import { loadSpecFile, parseSpec } from '../../src/spec/loader.ts';

export interface Loaded {
  models: Model[];
  inputs: Map<string, KubernetesInputs>;
}

/** A spec's kubernetes environments and their inputs, read as the CLI reads them. */
export function loadFile(file: string): Loaded {
  const r = loadSpecFile(file);
  if (!r.loaded) throw new Error(`${file} does not load: ${JSON.stringify(r.diagnostics)}`);
  return fromSpec(r.loaded.spec, (p) => readFileSync(resolve(dirname(file), p), 'utf8'));
}

export function fromSpec(
  spec: Parameters<typeof resolveEnvironment>[0],
  read: (path: string) => string,
): Loaded {
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
export const HOSTILE_FILES: Record<string, string> = {
  'nginx.conf':
    '# a mounted file with template-looking text: {{ .Values.secret }} and {{- end }}\nserver {\n  listen 8080;   \n\tlocation / { return 200 "{{ok}}"; }\n}\nyes: no\n\n\n',
  'odd.txt': '  leading spaces first line\n{{{{ odd }}}}\n',
  'sealed.yaml':
    'apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: edgecase-secrets\n  creationTimestamp: null\nspec:\n  encryptedData:\n    token: AgBy3i4OJSWK+PiTySYZZA9rO43cGDEq\n  template:\n    metadata:\n      name: edgecase-secrets\n      creationTimestamp: null\n',
};
export const HOSTILE_SPEC = `apiVersion: slipway.dev/v1
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

export function loadHostile(): Loaded {
  const r = parseSpec('slipway.yaml', HOSTILE_SPEC);
  if (!r.loaded) throw new Error(JSON.stringify(r.diagnostics));
  return fromSpec(r.loaded.spec, (p) => {
    const f = HOSTILE_FILES[p];
    if (f === undefined) throw new Error(`no file ${p}`);
    return f;
  });
}
