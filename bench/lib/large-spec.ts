/**
 * A generated spec the size of a large application: 500 services with ports, health and env
 * (dependency, secret and service references), `uses` edges forming a DAG, queue-scaled workers,
 * ingress routes, and three environments each overlaying a fifth of the services.
 * Deterministic: the same text on every run.
 *
 *   largeSpecObject()                                        dev (compose), staging, prod (kubernetes)
 *   largeSpecObject(200, { environments: 3, target: 'kubernetes' })
 *                                                           staging, prod, prod-3: all on Kubernetes
 *
 * The defaults give exactly the spec `spec-load-resolve` has always measured. With
 * `target: 'kubernetes'` every environment is a Kubernetes one with its own namespace, hosts and
 * the capabilities that make a rich render (ServiceMonitors and a PrometheusRule from
 * prometheus-operator, ScaledObjects from keda, certificates from cert-manager), and its overlay
 * turns on autoscaling (HPAs) and two or more replicas (PDBs); every environment gets zero-trust
 * NetworkPolicies, as Slipway renders by default.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

export interface GeneratedSpec {
  file: string;
  dir: string;
  bytes: number;
  services: number;
}

const SECRETS = ['api-key', 'session-key', 'smtp-password', 'stripe-key', 'jwt-signing-key'];

const name = (i: number) => `svc-${String(i).padStart(3, '0')}`;
/** Every 25th service is a worker (20 of 500); the rest are web services. */
const isWorker = (i: number) => i % 25 === 24;

export interface LargeSpecOptions {
  /** How many environments (default 3). */
  environments?: number;
  /**
   * `mixed` (default): `dev` on compose, then Kubernetes environments `staging`, `prod`,
   * `prod-3`, …; `kubernetes`: only the Kubernetes environments `staging`, `prod`, `prod-3`, ….
   */
  target?: 'mixed' | 'kubernetes';
}

export function largeSpecObject(count = 500, opts: LargeSpecOptions = {}): Record<string, unknown> {
  const envCount = opts.environments ?? 3;
  const target = opts.target ?? 'mixed';
  if (!Number.isInteger(envCount) || envCount < 1)
    throw new RangeError(`environments must be a positive integer, not ${envCount}`);
  const services: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) {
    // Edges only to lower-numbered web services: a DAG by construction.
    const upstream = [
      ...new Set([i - 1, Math.floor(i / 2), i - 7].filter((j) => j >= 0 && j < i && !isWorker(j))),
    ];
    const env: Record<string, string | number | boolean> = {
      LOG_LEVEL: 'info',
      SERVICE_NAME: name(i),
      DATABASE_URL: '${dependencies.db.url}',
      CACHE_URL: '${dependencies.cache.url}',
      API_KEY: `\${secrets.${SECRETS[i % SECRETS.length]}}`,
      FEATURE_FLAGS: `search,export,beta-${i % 7}`,
      MAX_CONNECTIONS: 20 + (i % 30),
    };
    upstream.forEach((j, k) => {
      env[`UPSTREAM_${k}_URL`] = `\${services.${name(j)}.url}`;
    });
    const uses = [...upstream.map(name), 'db', 'cache'];
    if (isWorker(i)) {
      services[name(i)] = {
        kind: 'worker',
        description: `background worker ${i}`,
        image: `registry.example.com/bench/${name(i)}:1.${i % 10}.0`,
        command: ['node', 'dist/worker.js'],
        env,
        resources: 'micro',
        uses: [...uses, 'queue'],
        queueScaling: {
          dependency: 'queue',
          queue: `jobs-${i}`,
          targetDepth: 50,
          min: 0,
          max: 10,
          pollInterval: '15s',
        },
      };
      continue;
    }
    services[name(i)] = {
      description: `web service ${i}`,
      image: `registry.example.com/bench/${name(i)}:2.${i % 10}.1`,
      ports: { http: 8000 + (i % 1000), metrics: 9090 },
      health: {
        http: { path: '/healthz', port: 'http' },
        readiness: { period: '10s' },
        liveness: { period: '20s', failureThreshold: 5 },
      },
      env,
      resources: i % 3 === 0 ? 'small' : { cpu: '250m', memory: '512Mi', limits: { cpu: 1, memory: '1Gi' } },
      replicas: 1 + (i % 3),
      uses,
      metrics: { path: '/metrics', port: 'metrics' },
      labels: { team: `team-${i % 12}`, tier: i % 2 === 0 ? 'frontend' : 'backend' },
      ...(i % 10 === 0 ? { egress: [{ host: `partner-${i}.example.com`, port: 443 }] } : {}),
    };
  }

  const webIndexes = [...Array(count).keys()].filter((i) => !isWorker(i));
  const routes = webIndexes
    .filter((i) => i % 10 === 0)
    .map((i) => ({ path: `/${name(i)}`, service: name(i), port: 'http' }));

  /** About a hundred services per environment, a different slice in each. */
  const overlay = (offset: number, make: (i: number) => Record<string, unknown>) =>
    Object.fromEntries(
      [...Array(count).keys()].filter((i) => i % 5 === offset).map((i) => [name(i), make(i)] as const),
    );

  return {
    apiVersion: 'slipway.dev/v1',
    app: {
      name: 'bench-large',
      description: 'generated by bench/lib/large-spec.ts',
      owner: 'bench',
      registry: 'registry.example.com/bench',
    },
    secrets: Object.fromEntries(SECRETS.map((s) => [s, { description: `${s} for the app` }])),
    dependencies: {
      db: { type: 'postgres', version: '17', storage: '50Gi', resources: 'medium' },
      cache: { type: 'redis', version: '7.4' },
      queue: { type: 'redis', version: '7.4', persistence: true },
    },
    services,
    ingress: { hosts: ['bench.example.com'], tls: { issuer: 'letsencrypt' }, routes, securityHeaders: true },
    monitoring: { level: 'full', alerts: { errorRate: 0.02, latencyP95: '500ms' } },
    environments: Object.fromEntries(
      target === 'mixed'
        ? [['dev', devEnvironment(overlay)], ...kubernetesEnvironments(envCount - 1, overlay)]
        : kubernetesEnvironments(envCount, overlay, true),
    ),
  };
}

type Overlay = (offset: number, make: (i: number) => Record<string, unknown>) => Record<string, unknown>;

function devEnvironment(overlay: Overlay): Record<string, unknown> {
  return {
    target: 'compose',
    profile: 'development',
    secrets: { source: 'env-file', file: '.env.dev' },
    services: overlay(0, (i) => ({
      replicas: 1,
      env: { LOG_LEVEL: 'debug', DEBUG: `${name(i)}:*` },
      ...(isWorker(i) ? { queueScaling: { max: 2 } } : {}),
    })),
  };
}

const PROD_CAPABILITIES = [
  'ingress-nginx',
  'cert-manager',
  'keda',
  'external-secrets',
  'prometheus-operator',
  'cloudnative-pg',
  'redis-operator',
];

/**
 * `staging`, `prod`, then `prod-3`, `prod-4`, … (prod's shape in namespaces and hosts of their own);
 * each overlays the fifth of the services after the previous one's. `rich`: staging too gets
 * prometheus-operator and autoscaling, so that every environment renders every kind of object.
 */
function kubernetesEnvironments(
  n: number,
  overlay: Overlay,
  rich = false,
): [string, Record<string, unknown>][] {
  const out: [string, Record<string, unknown>][] = [];
  for (let k = 0; k < n; k++) {
    const offset = (k + 1) % 5;
    if (k === 0) {
      out.push([
        'staging',
        {
          target: 'kubernetes',
          namespace: 'bench-staging',
          hosts: ['staging.bench.example.com'],
          secrets: { source: 'sealed-secrets' },
          capabilities: [
            'ingress-nginx',
            'cert-manager',
            'keda',
            'sealed-secrets',
            ...(rich ? ['prometheus-operator'] : []),
          ],
          services: overlay(offset, (i) => ({
            resources: 'small',
            env: { LOG_LEVEL: 'warn', STAGE: 'staging' },
            labels: { canary: i % 2 === 0 ? 'yes' : 'no' },
            ...(rich && !isWorker(i) ? { autoscaling: { min: 2, max: 6, cpu: 80 } } : {}),
          })),
        },
      ]);
      continue;
    }
    const env = k === 1 ? 'prod' : `prod-${k + 1}`;
    const host = k === 1 ? 'bench.example.com' : `${env}.bench.example.com`;
    out.push([
      env,
      {
        target: 'kubernetes',
        namespace: `bench-${env}`,
        hosts: [host, `www.${host}`],
        approval: true,
        secrets: { source: 'external-secrets', store: 'vault' },
        capabilities: PROD_CAPABILITIES,
        dependencies: { db: { mode: 'ha', instances: 3 }, cache: { mode: 'ha', sentinels: 3 } },
        services: overlay(offset, (i) =>
          isWorker(i)
            ? { queueScaling: { min: 1, max: 30 }, resources: 'small' }
            : { resources: 'medium', autoscaling: { min: 2, max: 12, cpu: 70 }, env: { LOG_LEVEL: 'warn' } },
        ),
      },
    ]);
  }
  return out;
}

/** Write the generated spec into a fresh temporary folder. */
export function writeLargeSpec(count = 500, opts: LargeSpecOptions = {}): GeneratedSpec {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-'));
  const file = join(dir, 'slipway.yaml');
  const text = `# Generated by slipway bench: ${count} services.\n${stringify(largeSpecObject(count, opts), { lineWidth: 0 })}`;
  writeFileSync(file, text);
  return { file, dir, bytes: Buffer.byteLength(text), services: count };
}
