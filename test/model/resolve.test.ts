/** Resolution: defaults decided once, overlays merged, provenance kept — table-driven where it can be. */
import { describe, expect, it } from 'vitest';
import { resolveEnvironment } from '../../src/model/resolve.ts';
import { parseSpec } from '../../src/spec/loader.ts';
import { Provenance } from '../../src/spec/overlay.ts';

const TEXT = `apiVersion: slipway.dev/v1
app:
  name: shop
  registry: ghcr.io/acme
  version: 1.4.0
services:
  web:
    build: { preset: nextjs }
    ports: { http: 3000, metrics: 9100 }
    health:
      http: { path: /healthz }
    env:
      DATABASE_URL: \${dependencies.db.url}
      API: http://\${services.api.host}:\${services.api.port}/v1
      TOKEN: \${secrets.token}
      FLAG: true
      DEBUG: verbose
    resources: medium
    autoscaling: { max: 10, behavior: { scaleDown: { stabilization: 5m, policies: [{ type: percent, value: 10, period: 1m }] } } }
    uses: [api]
  api:
    image: acme/api:2.0.0
    ports: { http: 8080 }
    resources: { cpu: 300m, memory: 384Mi }
    egress: [{ host: api.anthropic.com, port: 443 }]
  worker:
    kind: worker
    image: acme/worker:2.0.0
    queueScaling: { dependency: cache, queue: emails, max: 20 }
  migrate:
    kind: job
    imageFrom: web
    command: [npm, run, migrate]
    hook: { phase: pre-deploy, deadline: 5m }
dependencies:
  db: { type: postgres }
  cache: { type: redis, version: "7.2" }
secrets:
  token: {}
ingress:
  hosts: [shop.example.com]
  routes:
    - { path: /api, service: api }
    - { path: /, service: web }
environments:
  dev:
    target: compose
    dependencies:
      db: { mode: sqlite }
    services:
      web:
        env:
          DATABASE_URL: \${dependencies.db.url}
  prod:
    target: kubernetes
    capabilities: [cert-manager, vpa]
    hosts: [shop.com, www.shop.com]
    images: { registry: registry.internal/acme }
    services:
      web:
        resources: large
        autoscaling: { min: 4 }
        vpa: { min: { cpu: 250m }, max: { memory: 8Gi } }
        env:
          DEBUG: null
      api:
        replicas: 3
`;

const loaded = () => {
  const r = parseSpec('slipway.yaml', TEXT);
  if (!r.loaded) throw new Error(JSON.stringify(r.diagnostics, null, 1));
  return r.loaded;
};

describe('resolveEnvironment', () => {
  const spec = loaded().spec;
  const dev = resolveEnvironment(spec, 'dev');
  const prod = resolveEnvironment(spec, 'prod');
  const svc = (m: typeof dev, n: string) => {
    const s = m.services.find((x) => x.name === n);
    if (!s) throw new Error(`no service ${n}`);
    return s;
  };

  it.each([
    ['dev', 'web', 'requests', { cpu: '1', memory: '2Gi' }],
    ['prod', 'web', 'requests', { cpu: '2', memory: '4Gi' }],
    ['prod', 'api', 'requests', { cpu: '300m', memory: '384Mi' }],
    ['prod', 'api', 'limits', { cpu: '600m', memory: '768Mi' }],
    ['prod', 'worker', 'requests', { cpu: '100m', memory: '256Mi' }],
  ] as const)('%s %s resources.%s', (env, name, which, expected) => {
    expect(svc(env === 'dev' ? dev : prod, name).resources[which]).toEqual(expected);
  });

  it('decides images from registry, app and version, with per-environment registry', () => {
    expect(svc(dev, 'web').image).toBe('ghcr.io/acme/shop-web:1.4.0');
    expect(svc(prod, 'web').image).toBe('registry.internal/acme/shop-web:1.4.0');
    expect(svc(prod, 'api').image).toBe('acme/api:2.0.0');
  });

  it('merges autoscaling overlays key by key and starts at min', () => {
    expect(svc(dev, 'web').autoscaling).toMatchObject({ min: 2, max: 10, cpu: 70 });
    expect(svc(prod, 'web').autoscaling).toMatchObject({ min: 4, max: 10 });
    expect(svc(prod, 'web').replicas).toBe(4);
    expect(svc(prod, 'web').autoscaling?.behavior.scaleDown).toEqual({
      stabilizationSeconds: 300,
      policies: [{ type: 'percent', value: 10, periodSeconds: 60 }],
    });
  });

  it('resolves health checks with probe defaults', () => {
    const h = svc(prod, 'web').health;
    expect(h?.check).toEqual({
      type: 'http',
      path: '/healthz',
      port: { name: 'http', port: 3000, protocol: 'TCP' },
    });
    expect((h?.startup.failureThreshold ?? 0) * (h?.startup.periodSeconds ?? 0)).toBeGreaterThanOrEqual(150);
    expect(svc(prod, 'api').health?.check.type).toBe('tcp');
    expect(svc(prod, 'worker').health).toBeUndefined();
    expect(svc(prod, 'migrate').health).toBeUndefined();
  });

  it('classifies env values: literal, secret, template', () => {
    const env = Object.fromEntries(svc(prod, 'web').env.map((e) => [e.name, e.value]));
    expect(env.TOKEN).toEqual({ kind: 'secret', secret: 'token' });
    expect(env.FLAG).toEqual({ kind: 'literal', value: 'true' });
    expect(env.API).toEqual({
      kind: 'template',
      parts: [
        { text: 'http://' },
        { service: 'api', property: 'host' },
        { text: ':' },
        { service: 'api', property: 'port' },
        { text: '/v1' },
      ],
    });
  });

  it('switches dependency modes per environment', () => {
    expect(dev.dependencies.find((d) => d.name === 'db')).toMatchObject({
      mode: 'sqlite',
      sqlitePath: ':memory:',
    });
    expect(prod.dependencies.find((d) => d.name === 'db')).toMatchObject({
      mode: 'self-hosted',
      image: 'postgres:17',
      port: 5432,
      database: 'shop',
      backup: true,
    });
    expect(prod.dependencies.find((d) => d.name === 'cache')).toMatchObject({
      image: 'redis:7.2',
      port: 6379,
    });
  });

  it('resolves queue scaling with the BullMQ list name', () => {
    expect(svc(prod, 'worker').queueScaling).toMatchObject({
      dependency: 'cache',
      list: 'bull:emails:wait',
      min: 0,
      max: 20,
    });
  });

  it('resolves ingress: hosts from the environment, TLS through cert-manager when the cluster has it', () => {
    expect(prod.ingress?.hosts).toEqual(['shop.com', 'www.shop.com']);
    expect(prod.ingress?.tls).toEqual({
      issuer: 'letsencrypt-prod',
      issuerKind: 'ClusterIssuer',
      secret: 'shop-tls',
    });
    expect(dev.ingress?.tls).toEqual({ issuerKind: 'ClusterIssuer', secret: 'shop-tls' });
    expect(prod.ingress?.routes.map((r) => [r.path, r.service, r.port.port])).toEqual([
      ['/api', 'api', 8080],
      ['/', 'web', 3000],
    ]);
  });

  it('builds the communication graph from uses, references, routes, egress and scalers', () => {
    const edges = prod.graph.map((e) => `${e.from}→${e.to}:${e.port}(${e.reason})`);
    expect(edges).toEqual([
      'api→api.anthropic.com:443(egress)',
      'ingress→api:8080(route)',
      'ingress→web:3000(route)',
      'keda→cache:6379(queue-scaling)',
      'web→api:8080(uses)',
      'web→db:5432(env)',
    ]);
    // sqlite is in-process: no edge to a server.
    expect(dev.graph.some((e) => e.to === 'db')).toBe(false);
  });

  it('decides environment defaults', () => {
    expect(dev.environment).toMatchObject({
      target: 'compose',
      namespace: 'shop-dev',
      profile: 'development',
      secretSource: { type: 'env-file', file: '.env' },
    });
    expect(prod.environment).toMatchObject({
      target: 'kubernetes',
      kubernetesVersion: '1.33',
      secretSource: { type: 'existing', name: 'shop-secrets' },
    });
    expect(svc(prod, 'web').vpa).toMatchObject({ mode: 'recommend' });
    expect(svc(dev, 'web').vpa).toEqual({ mode: 'off' });
    expect(svc(prod, 'migrate').hook).toEqual({
      phase: 'pre-deploy',
      order: 0,
      deadlineSeconds: 300,
      retries: 0,
    });
  });

  it('runs the image another service builds (imageFrom)', () => {
    expect(svc(prod, 'migrate').image).toBe(svc(prod, 'web').image);
    expect(svc(prod, 'migrate').imageFrom).toBe('web');
  });

  it('removes an inherited variable set to null in an environment', () => {
    expect(svc(dev, 'web').env.map((e) => e.name)).toContain('DEBUG');
    expect(svc(prod, 'web').env.map((e) => e.name)).not.toContain('DEBUG');
  });

  it('keeps VPA bounds', () => {
    expect(svc(prod, 'web').vpa).toEqual({ mode: 'recommend', min: { cpu: '250m' }, max: { memory: '8Gi' } });
  });

  it('caps a preset request by a limit written alone, and writes doubled millicores as cores', () => {
    const text = TEXT.replace(
      'resources: { cpu: 300m, memory: 384Mi }',
      'resources: { cpu: 500m, limits: { memory: 512Mi } }',
    );
    const r = parseSpec('slipway.yaml', text);
    const api = resolveEnvironment(r.loaded?.spec ?? spec, 'prod').services.find((s) => s.name === 'api');
    expect(api?.resources).toEqual({
      requests: { cpu: '500m', memory: '512Mi' },
      limits: { cpu: '1', memory: '512Mi' },
    });
  });

  it('is deterministic: same spec, same model', () => {
    expect(JSON.stringify(resolveEnvironment(loaded().spec, 'prod'))).toBe(JSON.stringify(prod));
  });
});

describe('Provenance', () => {
  const l = loaded();
  const line = (o: { offset: number }) => l.source.position(o.offset).line;

  it('names the base layer when only the base sets a value', () => {
    const o = new Provenance(l, 'dev').origins(['services', 'web', 'resources']);
    expect(o.map((x) => [x.layer, line(x)])).toEqual([['base', 18]]);
  });

  it('lists the overriding environment layer last', () => {
    const o = new Provenance(l, 'prod').origins(['services', 'web', 'resources']);
    expect(o.map((x) => [x.layer, line(x)])).toEqual([
      ['base', 18],
      ['environments.prod', 61],
    ]);
  });

  it('maps environment hosts onto ingress.hosts', () => {
    const o = new Provenance(l, 'prod').origins(['ingress', 'hosts']);
    expect(o.map((x) => [x.layer, x.specPath])).toEqual([
      ['base', 'ingress.hosts'],
      ['environments.prod', 'environments.prod.hosts'],
    ]);
  });

  it('has no origin for values only a default sets', () => {
    expect(new Provenance(l, 'prod').origins(['services', 'api', 'rollout'])).toEqual([]);
  });
});
