/**
 * The `slipway.yaml` schema: the one source of truth for the written spec's TypeScript types,
 * its validation, and the JSON Schema that editors use (`slipway schema`).
 *
 * Fields that environments may override are optional here, because an overlay is written in the
 * same shape as the base. What must be present after merging (an image or a build, an
 * autoscaler's max, …) is checked per environment in `semantics.ts`, where positions are known.
 */
import { z } from 'zod';

export const API_VERSION = 'slipway.dev/v1';

export const RUNTIME_PRESETS = ['node', 'nextjs', 'python', 'static'] as const;
export const SERVICE_KINDS = ['web', 'worker', 'job', 'cron'] as const;
export const RESOURCE_PRESETS = ['nano', 'micro', 'dev', 'small', 'medium', 'large', 'xlarge'] as const;
export const DEPENDENCY_TYPES = ['postgres', 'redis'] as const;
export const DEPENDENCY_MODES = ['self-hosted', 'ha', 'external', 'sqlite'] as const;
export const TARGETS = ['compose', 'kubernetes'] as const;
export const SECRET_SOURCES = ['env-file', 'sealed-secrets', 'external-secrets', 'existing'] as const;
export const CLUSTER_CAPABILITIES = [
  'ingress-nginx',
  'cert-manager',
  'prometheus-operator',
  'grafana-sidecar',
  'argo-rollouts',
  'keda',
  'cloudnative-pg',
  'redis-operator',
  'sealed-secrets',
  'external-secrets',
  'vpa',
  'istio',
] as const;

const duration = z
  .string()
  .regex(/^(\d+(ms|s|m|h|d))+$/, 'a duration such as 30s, 5m, 1h30m or 7d')
  .meta({
    id: 'Duration',
    description: 'Duration: a number with a unit (ms, s, m, h, d), e.g. 30s, 5m, 1h30m, 7d.',
  });
const cpu = z
  .union([
    z.number().positive(),
    z.string().regex(/^\d+(\.\d+)?m?$/, 'a CPU quantity such as 250m, 0.5 or 2'),
  ])
  .meta({ description: 'CPU: cores (0.5, 2) or millicores (250m).' });
const memory = z
  .string()
  .regex(/^\d+(\.\d+)?(Ki|Mi|Gi|Ti|K|M|G|T)?$/, 'a memory quantity such as 512Mi or 2Gi')
  .meta({ description: 'Memory: a Kubernetes quantity such as 512Mi or 2Gi.' });
const storage = memory.meta({ description: 'Storage size: a Kubernetes quantity such as 20Gi.' });
const port = z.number().int().min(1).max(65535);
const portRef = z
  .union([port, z.string()])
  .meta({ description: 'A port: its name under `ports`, or a number.' });
const percent = z.number().int().min(1).max(100);
const absolutePath = z.string().regex(/^\//, 'an absolute path (starting with /)');
const stringMap = z.record(z.string(), z.string());
const envValue = z.union([z.string(), z.number(), z.boolean(), z.null()]).meta({
  description:
    'null (in an environment) removes an inherited variable. A plain value, or a reference: ${secrets.NAME}, ${dependencies.NAME.url|host|port|user|password|database}, ${services.NAME.url|host|port}. Write $${ for a literal ${.',
});

const build = z
  .strictObject({
    preset: z
      .enum(RUNTIME_PRESETS)
      .optional()
      .meta({ description: 'Runtime preset that generates the Dockerfile.' }),
    context: z
      .string()
      .optional()
      .meta({ description: 'Build context, relative to the spec file. Default: .' }),
    dockerfile: z.string().optional().meta({ description: 'Your own Dockerfile (instead of a preset).' }),
    target: z.string().optional().meta({ description: 'Build stage to stop at.' }),
    args: stringMap.optional(),
    runtimeVersion: z
      .string()
      .optional()
      .meta({ description: 'Node or Python major version for the preset.' }),
    install: z.string().optional().meta({ description: 'Dependency install command (preset default).' }),
    buildCommand: z.string().optional().meta({ description: 'Build command, e.g. npm run build.' }),
    start: z.string().optional().meta({ description: 'Start command for node presets.' }),
    outputDir: z
      .string()
      .optional()
      .meta({ description: 'Build output served by the static preset. Default: dist' }),
    module: z
      .string()
      .optional()
      .meta({ description: 'ASGI/WSGI app for the python preset, e.g. main:app.' }),
    server: z.enum(['uvicorn', 'gunicorn']).optional(),
  })
  .meta({ id: 'Build', description: 'How to build the image: a runtime preset or your own Dockerfile.' });

const portSpec = z.union([
  port,
  z.strictObject({
    port,
    protocol: z.enum(['TCP', 'UDP']).optional(),
  }),
]);

const probeTuning = z.strictObject({
  initialDelay: duration.optional(),
  period: duration.optional(),
  timeout: duration.optional(),
  failureThreshold: z.number().int().min(1).optional(),
  successThreshold: z.number().int().min(1).optional(),
});

const health = z
  .strictObject({
    http: z
      .strictObject({ path: z.string().regex(/^\//, 'a path starting with /'), port: portRef.optional() })
      .optional(),
    tcp: z.strictObject({ port: portRef.optional() }).optional(),
    exec: z.strictObject({ command: z.array(z.string()).min(1) }).optional(),
    readiness: probeTuning.optional(),
    liveness: probeTuning.optional(),
    startup: probeTuning.optional(),
    enabled: z.boolean().optional(),
  })
  .meta({
    id: 'Health',
    description: 'Health check: exactly one of http, tcp or exec; probe timings have sane defaults.',
  });

const configFile = z.strictObject({
  source: z.string().meta({ description: 'File next to the spec.' }),
  target: absolutePath.meta({ description: 'Where it appears in the container.' }),
});

const volume = z.strictObject({
  path: absolutePath.optional().meta({ description: 'Mount path (required once environments are merged).' }),
  size: storage.optional(),
  storageClass: z.string().optional(),
  accessMode: z.enum(['ReadWriteOnce', 'ReadWriteMany', 'ReadOnlyMany', 'ReadWriteOncePod']).optional(),
  backup: z.boolean().optional(),
});

const explicitResources = z.strictObject({
  cpu: cpu.optional(),
  memory: memory.optional(),
  limits: z.strictObject({ cpu: cpu.optional(), memory: memory.optional() }).optional(),
});
const resources = z.union([z.enum(RESOURCE_PRESETS), explicitResources]).meta({
  id: 'Resources',
  description: `A preset (${RESOURCE_PRESETS.join(', ')}) or requests with optional limits.`,
});

const scalingPolicy = z.strictObject({
  type: z.enum(['percent', 'pods']),
  value: z.number().int().min(1),
  period: duration,
});
const scalingRules = z.strictObject({
  stabilization: duration.optional(),
  policies: z.array(scalingPolicy).optional(),
  select: z.enum(['max', 'min', 'disabled']).optional(),
});
const autoscaling = z.strictObject({
  enabled: z.boolean().optional(),
  min: z.number().int().min(1).optional(),
  max: z.number().int().min(1).optional(),
  cpu: percent.optional().meta({ description: 'Target average CPU utilisation, percent of requests.' }),
  memory: percent.optional().meta({ description: 'Target average memory utilisation, percent of requests.' }),
  behavior: z
    .strictObject({ scaleUp: scalingRules.optional(), scaleDown: scalingRules.optional() })
    .optional(),
});

const vpa = z
  .strictObject({
    mode: z.enum(['off', 'recommend', 'auto']).optional().meta({
      description:
        'recommend = report only (default where the cluster has the vpa capability); auto = apply.',
    }),
    min: z.strictObject({ cpu: cpu.optional(), memory: memory.optional() }).optional(),
    max: z.strictObject({ cpu: cpu.optional(), memory: memory.optional() }).optional(),
  })
  .meta({
    id: 'Vpa',
    description: 'Vertical Pod Autoscaler: recommendations, or automatic requests within bounds.',
  });

const queueScaling = z
  .strictObject({
    enabled: z.boolean().optional(),
    dependency: z.string().optional().meta({ description: 'The Redis dependency holding the queue.' }),
    queue: z.string().optional().meta({ description: 'BullMQ queue name.' }),
    list: z.string().optional().meta({ description: 'Redis list to measure. Default: bull:<queue>:wait' }),
    targetDepth: z.number().int().min(1).optional(),
    min: z.number().int().min(0).optional(),
    max: z.number().int().min(1).optional(),
    pollInterval: duration.optional(),
    cooldown: duration.optional(),
  })
  .meta({ id: 'QueueScaling', description: 'Scale a worker on queue depth (KEDA on Kubernetes).' });

const rollout = z.strictObject({
  strategy: z.enum(['rolling', 'blue-green']).optional(),
  autoPromote: z.boolean().optional(),
  scaleDownDelay: duration
    .optional()
    .meta({ description: 'How long the old colour stays after a switch (≥30s).' }),
  previewPath: z
    .string()
    .regex(/^\//)
    .optional()
    .meta({ description: 'Smoke-check path on the preview service.' }),
  maxSurge: z.union([z.number().int().min(0), z.string().regex(/^\d+%$/)]).optional(),
  maxUnavailable: z.union([z.number().int().min(0), z.string().regex(/^\d+%$/)]).optional(),
});

const hook = z.strictObject({
  phase: z.enum(['pre-deploy', 'post-deploy']),
  order: z.number().int().optional().meta({ description: 'Hooks of one phase run in ascending order.' }),
  deadline: duration.optional(),
  retries: z.number().int().min(0).optional(),
});

const egress = z.strictObject({
  host: z.string().optional(),
  cidr: z.string().optional(),
  port: port,
  description: z.string().optional(),
});

const service = z
  .strictObject({
    enabled: z.boolean().optional(),
    kind: z.enum(SERVICE_KINDS).optional().meta({ description: 'web (default) | worker | job | cron' }),
    description: z.string().optional(),
    image: z
      .string()
      .optional()
      .meta({ description: 'A pinned image (a tag other than latest, or a digest).' }),
    build: build.optional(),
    imageFrom: z.string().optional().meta({
      description: 'Run the image of another service (a worker or migration job built from the same source).',
    }),
    command: z.array(z.string()).optional(),
    args: z.array(z.string()).optional(),
    ports: z.record(z.string(), portSpec).optional().meta({ description: 'Named ports, e.g. http: 3000.' }),
    health: health.optional(),
    env: z.record(z.string(), envValue).optional(),
    files: z
      .array(configFile)
      .optional()
      .meta({ description: 'Config files next to the spec, mounted read-only.' }),
    volumes: z.record(z.string(), volume).optional(),
    writablePaths: z
      .array(absolutePath)
      .optional()
      .meta({ description: 'Paths that must stay writable under a read-only root filesystem.' }),
    resources: resources.optional(),
    replicas: z.number().int().min(0).optional(),
    autoscaling: autoscaling.optional(),
    vpa: vpa.optional(),
    queueScaling: queueScaling.optional(),
    rollout: rollout.optional(),
    uses: z
      .array(z.string())
      .optional()
      .meta({ description: 'Services and dependencies this one talks to.' }),
    egress: z.array(egress).optional().meta({ description: 'External endpoints this service may reach.' }),
    hook: hook.optional().meta({ description: 'Run this job before or after each deploy (kind: job).' }),
    schedule: z.string().optional().meta({ description: 'Cron schedule (kind: cron).' }),
    timezone: z.string().optional(),
    metrics: z
      .union([
        z.literal(false),
        z.strictObject({ path: z.string().regex(/^\//).optional(), port: portRef.optional() }),
      ])
      .optional(),
    sessionAffinity: z.boolean().optional(),
    runAsUser: z.number().int().min(1).optional(),
    readOnlyRootFilesystem: z.boolean().optional(),
    terminationGrace: duration.optional(),
    labels: stringMap.optional(),
    annotations: stringMap.optional(),
  })
  .meta({ id: 'Service', description: 'A service, worker, job or cron job of the application.' });

const externalConnection = z.strictObject({
  secret: z.string().meta({ description: 'Declared secret holding the connection URL.' }),
  host: z.string().optional(),
  port: port.optional(),
});

const dependency = z
  .strictObject({
    enabled: z.boolean().optional(),
    type: z.enum(DEPENDENCY_TYPES).optional(),
    version: z
      .string()
      .optional()
      .meta({ description: 'Pinned major or major.minor version, e.g. "16" or "7.4".' }),
    mode: z.enum(DEPENDENCY_MODES).optional().meta({
      description:
        'self-hosted: a container / StatefulSet; ha: operator-managed (CloudNativePG, Redis failover); external: a managed service reached through a secret; sqlite: no server (dev only, postgres only).',
    }),
    image: z.string().optional(),
    database: z.string().optional(),
    user: z.string().optional(),
    storage: storage.optional(),
    storageClass: z.string().optional(),
    resources: resources.optional(),
    instances: z.number().int().min(1).optional().meta({ description: 'Instances for ha mode.' }),
    sentinels: z.number().int().min(1).optional().meta({ description: 'Redis sentinels for ha mode.' }),
    persistence: z.boolean().optional().meta({ description: 'Redis: keep data on a volume.' }),
    parameters: stringMap.optional().meta({ description: 'Server parameters (postgresql.conf).' }),
    external: externalConnection.optional(),
    sqlitePath: z.string().optional().meta({ description: 'SQLite database file, or :memory:.' }),
    backup: z.boolean().optional(),
  })
  .meta({ id: 'Dependency', description: 'A backing service: PostgreSQL or Redis.' });

const tls = z.union([
  z.literal(false),
  z.strictObject({
    issuer: z.string().optional().meta({ description: 'cert-manager issuer name.' }),
    issuerKind: z.enum(['ClusterIssuer', 'Issuer']).optional(),
    secret: z.string().optional().meta({ description: 'A provided TLS secret instead of an issuer.' }),
  }),
]);

const route = z.strictObject({
  host: z.string().optional().meta({ description: 'Only for this host (default: every ingress host).' }),
  path: z.string().regex(/^\//, 'a path starting with /'),
  service: z.string(),
  port: portRef.optional(),
  pathType: z.enum(['Prefix', 'Exact']).optional(),
});

const cacheRule = z.strictObject({
  path: z.string().regex(/^\//),
  maxAge: duration,
  methods: z.array(z.enum(['GET', 'HEAD'])).optional(),
});

const ingress = z.strictObject({
  enabled: z.boolean().optional(),
  className: z.string().optional(),
  hosts: z.array(z.string()).optional(),
  tls: tls.optional(),
  routes: z.array(route).optional(),
  securityHeaders: z.union([z.boolean(), stringMap]).optional().meta({
    description:
      'Default (and true): HSTS, X-Content-Type-Options, X-Frame-Options, Referrer-Policy, Permissions-Policy (no CSP: a wrong one breaks apps). false: none. A map adds or overrides headers, e.g. a Content-Security-Policy.',
  }),
  cache: z.array(cacheRule).optional(),
  maxBodySize: memory.optional(),
});

const secret = z
  .strictObject({
    description: z.string().optional(),
    key: z
      .string()
      .optional()
      .meta({ description: 'Key inside the Secret object. Default: the secret name.' }),
    remoteKey: z.string().optional().meta({ description: 'Key in the external store (external-secrets).' }),
    generate: z
      .boolean()
      .optional()
      .meta({ description: 'Generate a random value where none is given (dev).' }),
  })
  .meta({
    id: 'Secret',
    description: 'A secret the app needs. Never its value: values come from the environment’s source.',
  });

const alerts = z.strictObject({
  errorRate: z
    .number()
    .min(0)
    .max(1)
    .optional()
    .meta({ description: 'Fraction of 5xx responses, e.g. 0.05.' }),
  latencyP95: duration.optional(),
  restarts: z.number().int().min(1).optional().meta({ description: 'Container restarts within 15 minutes.' }),
  queueDepth: z.number().int().min(1).optional(),
  hpaAtMax: duration.optional().meta({ description: 'Alert when an autoscaler stays at max this long.' }),
});
const monitoring = z.strictObject({
  enabled: z.boolean().optional(),
  level: z.enum(['basic', 'full']).optional(),
  dashboards: z.boolean().optional(),
  alerts: alerts.optional(),
  scrapeInterval: duration.optional(),
  labels: stringMap.optional().meta({
    description: 'Labels on ServiceMonitors and PrometheusRules, for a Prometheus that selects by label.',
  }),
});

const backupDestination = z.strictObject({
  type: z.enum(['volume', 's3']),
  bucket: z.string().optional(),
  prefix: z.string().optional(),
  endpoint: z.string().optional(),
  credentials: z.string().optional().meta({ description: 'Declared secret with the store credentials.' }),
  size: storage.optional(),
});
const backup = z.strictObject({
  enabled: z.boolean().optional(),
  schedule: z.string().optional(),
  retention: duration.optional(),
  destination: backupDestination.optional(),
  verify: z.boolean().optional().meta({ description: 'Restore-test each dump (pg_restore --list).' }),
  continuous: z
    .boolean()
    .optional()
    .meta({ description: 'Continuous WAL archiving for point-in-time recovery (ha PostgreSQL).' }),
  walRetention: duration.optional(),
});

const security = z.strictObject({
  networkPolicy: z.enum(['zero-trust', 'open']).optional(),
  podSecurity: z.enum(['restricted', 'baseline']).optional(),
});

const jsonPatchOp = z.strictObject({
  op: z.enum(['add', 'remove', 'replace', 'move', 'copy', 'test']),
  path: z.string(),
  value: z.unknown().optional(),
  from: z.string().optional(),
});
const kubernetesPatch = z.strictObject({
  target: z.strictObject({
    kind: z.string(),
    name: z.string().optional().meta({ description: 'Object name; all objects of the kind when absent.' }),
  }),
  merge: z.record(z.string(), z.unknown()).optional().meta({ description: 'JSON merge patch (RFC 7386).' }),
  jsonPatch: z.array(jsonPatchOp).optional().meta({ description: 'JSON patch (RFC 6902).' }),
});
const composePatch = z.strictObject({
  service: z.string().optional().meta({ description: 'Compose service; the whole file when absent.' }),
  merge: z.record(z.string(), z.unknown()),
});
const patches = z
  .strictObject({
    kubernetes: z.array(kubernetesPatch).optional(),
    compose: z.array(composePatch).optional(),
  })
  .meta({ id: 'Patches', description: 'Escape hatch: patches applied to rendered output, last.' });

const secretSource = z.strictObject({
  source: z.enum(SECRET_SOURCES),
  file: z.string().optional().meta({ description: 'env-file: path of the env file. Default: .env' }),
  store: z.string().optional().meta({ description: 'external-secrets: the SecretStore name.' }),
  storeKind: z.enum(['SecretStore', 'ClusterSecretStore']).optional(),
  name: z.string().optional().meta({ description: 'existing: the Secret to read. Default: <app>-secrets' }),
  refreshInterval: duration.optional(),
});

const images = z.strictObject({
  registry: z.string().optional(),
  tag: z.string().optional(),
  baseImages: z
    .record(z.string(), z.string())
    .optional()
    .meta({ description: 'Override base images by role: node, python, nginx, postgres, redis, proxy.' }),
  pullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).optional(),
});

const environment = z
  .strictObject({
    target: z.enum(TARGETS).optional(),
    description: z.string().optional(),
    namespace: z.string().optional(),
    context: z.string().optional().meta({ description: 'kubeconfig context.' }),
    kubernetesVersion: z
      .string()
      .regex(/^1\.\d+$/, 'a minor version such as 1.31')
      .optional(),
    capabilities: z.array(z.enum(CLUSTER_CAPABILITIES)).optional().meta({
      description: 'Add-ons the cluster has; renderers use them (e.g. argo-rollouts for blue-green).',
    }),
    profile: z.enum(['development', 'production']).optional().meta({
      description:
        'compose: development (source mounts, hot reload) or single-server production (TLS proxy).',
    }),
    hosts: z.array(z.string()).optional(),
    deployOn: z
      .strictObject({ branch: z.string().optional(), tag: z.string().optional() })
      .optional()
      .meta({ description: 'CI/CD: deploy here on pushes to this branch or tag.' }),
    approval: z.boolean().optional().meta({ description: 'CI/CD: require a reviewer before deploying.' }),
    secrets: secretSource.optional(),
    images: images.optional(),
    services: z.record(z.string(), service).optional(),
    dependencies: z.record(z.string(), dependency).optional(),
    ingress: ingress.optional(),
    monitoring: monitoring.optional(),
    backup: backup.optional(),
    security: security.optional(),
    patches: patches.optional(),
  })
  .meta({
    id: 'Environment',
    description: 'An environment: where it deploys and what differs from the base.',
  });

export const specSchema = z
  .strictObject({
    apiVersion: z.literal(API_VERSION),
    app: z.strictObject({
      name: z
        .string()
        .meta({ description: 'DNS-1123 label: lowercase letters, digits and -, at most 53 characters.' }),
      description: z.string().optional(),
      owner: z.string().optional(),
      registry: z
        .string()
        .optional()
        .meta({ description: 'Image registry for built images, e.g. ghcr.io/acme.' }),
      repository: z.string().optional().meta({ description: 'Source repository URL.' }),
      version: z.string().optional(),
    }),
    services: z.record(z.string(), service),
    dependencies: z.record(z.string(), dependency).optional(),
    ingress: ingress.optional(),
    secrets: z.record(z.string(), secret).optional(),
    monitoring: monitoring.optional(),
    backup: backup.optional(),
    security: security.optional(),
    images: images.optional(),
    patches: patches.optional(),
    environments: z.record(z.string(), environment),
  })
  .meta({ title: 'Slipway application spec', description: 'One description of an application.' });

export type Spec = z.infer<typeof specSchema>;
export type ServiceSpec = z.infer<typeof service>;
export type DependencySpec = z.infer<typeof dependency>;
export type EnvironmentSpec = z.infer<typeof environment>;
export type IngressSpec = z.infer<typeof ingress>;
export type HealthSpec = z.infer<typeof health>;
export type ProbeTuningSpec = z.infer<typeof probeTuning>;
export type ResourcesSpec = z.infer<typeof resources>;
export type AutoscalingSpec = z.infer<typeof autoscaling>;
export type ScalingRulesSpec = z.infer<typeof scalingRules>;
export type SecretSourceSpec = z.infer<typeof secretSource>;
export type PatchesSpec = z.infer<typeof patches>;
export type BackupSpec = z.infer<typeof backup>;
export type MonitoringSpec = z.infer<typeof monitoring>;
export type SecuritySpec = z.infer<typeof security>;
export type ImagesSpec = z.infer<typeof images>;

/** Keys of an environment that are about the environment itself, not overlays of the base. */
export const ENVIRONMENT_OWN_KEYS = [
  'target',
  'description',
  'namespace',
  'context',
  'kubernetesVersion',
  'capabilities',
  'profile',
  'hosts',
  'deployOn',
  'approval',
  'secrets',
] as const;

/** Keys of an environment that are deep-merged over the same top-level key. */
export const OVERLAY_KEYS = [
  'images',
  'services',
  'dependencies',
  'ingress',
  'monitoring',
  'backup',
  'security',
  'patches',
] as const;
