/**
 * resolve(spec, env) → Model: merge the environment over the base, then decide every default
 * once, here. Call it only on a spec that loaded without errors.
 */
import { type EffectiveSpec, effectiveSpec } from '../spec/overlay.ts';
import { parseTemplate } from '../spec/references.ts';
import type {
  AutoscalingSpec,
  ProbeTuningSpec,
  ResourcesSpec,
  ScalingRulesSpec,
  ServiceSpec,
  Spec,
} from '../spec/schema.ts';
import { quantityValue, seconds } from '../spec/semantics.ts';
import { buildGraph } from './graph.ts';
import {
  DEFAULT_KUBERNETES_VERSION,
  DEPENDENCY_DEFAULTS,
  defaultResourcePreset,
  doubleQuantity,
  PROBE_DEFAULTS,
  RESOURCE_PRESETS,
  RUNTIME_DEFAULTS,
  SECURITY_HEADERS,
} from './presets.ts';
import type {
  AutoscalingModel,
  DependencyModel,
  EnvironmentModel,
  EnvVarModel,
  HealthModel,
  IngressModel,
  Model,
  PortModel,
  ProbeModel,
  ResourcesModel,
  ScalingRulesModel,
  ServiceModel,
  TemplatePartModel,
} from './types.ts';

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export function resolveEnvironment(spec: Spec, env: string): Model {
  const eff = effectiveSpec(spec, env);
  const environment = resolveEnvironmentModel(eff);
  const dependencies = Object.entries(eff.dependencies)
    .filter(([, d]) => d.enabled !== false)
    .map(([name]) => resolveDependency(eff, name, environment))
    .sort(byName);
  const services = Object.entries(eff.services)
    .filter(([, s]) => s.enabled !== false)
    .map(([name, s]) => resolveService(eff, name, s, environment))
    .sort(byName);
  // imageFrom: run the image another service builds or pins (validation forbids chains).
  for (const s of services) {
    if (!s.imageFrom) continue;
    const from = services.find((x) => x.name === s.imageFrom);
    if (!from) throw new Error(`internal: imageFrom ${s.imageFrom} unresolved`);
    s.image = from.image;
  }
  const ingress = resolveIngress(eff, services, environment);
  const model: Model = {
    app: stripUndefined({ ...eff.app }),
    environment,
    services,
    dependencies,
    ingress,
    secrets: Object.entries(eff.secrets)
      .map(([name, s]) =>
        stripUndefined({
          name,
          description: s.description,
          key: s.key ?? name,
          remoteKey: s.remoteKey ?? `${eff.app.name}/${name}`,
          generate: s.generate ?? false,
        }),
      )
      .sort(byName),
    monitoring: {
      enabled: eff.monitoring.enabled ?? true,
      level: eff.monitoring.level ?? 'basic',
      dashboards: eff.monitoring.dashboards ?? true,
      scrapeIntervalSeconds: seconds(eff.monitoring.scrapeInterval ?? '30s'),
      labels: { ...(eff.monitoring.labels ?? {}) },
      alerts: {
        errorRate: eff.monitoring.alerts?.errorRate ?? 0.05,
        latencyP95Seconds: seconds(eff.monitoring.alerts?.latencyP95 ?? '1s'),
        restarts: eff.monitoring.alerts?.restarts ?? 3,
        queueDepth: eff.monitoring.alerts?.queueDepth ?? 1000,
        hpaAtMaxSeconds: seconds(eff.monitoring.alerts?.hpaAtMax ?? '15m'),
      },
    },
    backup: {
      enabled:
        eff.backup.enabled ??
        dependencies.some((d) => d.type === 'postgres' && d.mode !== 'external' && d.mode !== 'sqlite'),
      schedule: eff.backup.schedule ?? '0 2 * * *',
      retentionSeconds: seconds(eff.backup.retention ?? '7d'),
      destination: stripUndefined({
        type: eff.backup.destination?.type ?? 'volume',
        bucket: eff.backup.destination?.bucket,
        prefix: eff.backup.destination?.prefix,
        endpoint: eff.backup.destination?.endpoint,
        credentials: eff.backup.destination?.credentials,
        size: eff.backup.destination?.size ?? '20Gi',
      }),
      verify: eff.backup.verify ?? true,
      continuous: eff.backup.continuous ?? false,
      walRetentionSeconds: seconds(eff.backup.walRetention ?? '7d'),
    },
    security: {
      networkPolicy: eff.security.networkPolicy ?? 'zero-trust',
      podSecurity: eff.security.podSecurity ?? 'restricted',
    },
    patches: {
      kubernetes: (eff.patches.kubernetes ?? []).map((p, i) =>
        stripUndefined({
          target: stripUndefined({ ...p.target }),
          merge: p.merge,
          jsonPatch: p.jsonPatch,
          source: patchSource(spec, env, 'kubernetes', i),
        }),
      ),
      compose: (eff.patches.compose ?? []).map((p, i) =>
        stripUndefined({ service: p.service, merge: p.merge, source: patchSource(spec, env, 'compose', i) }),
      ),
    },
    graph: [],
  };
  // A self-hosted PostgreSQL needs a password that someone must provide: make it a secret of the app.
  for (const d of dependencies) {
    const name = `${d.name}-password`;
    if (d.type === 'postgres' && d.mode === 'self-hosted' && !model.secrets.some((s) => s.name === name)) {
      model.secrets.push({
        name,
        description: `Password of the self-hosted PostgreSQL "${d.name}"`,
        key: name,
        remoteKey: `${eff.app.name}/${name}`,
        generate: true,
        implicit: true,
      });
    }
  }
  model.secrets.sort(byName);
  model.graph = buildGraph(model);
  return model;
}

function resolveEnvironmentModel(eff: EffectiveSpec): EnvironmentModel {
  const e = eff.environment;
  const target = e.target ?? 'compose';
  const app = eff.app.name;
  const secretSourceType = e.secrets?.source ?? (target === 'compose' ? 'env-file' : 'existing');
  return stripUndefined({
    name: eff.env,
    target,
    namespace: e.namespace ?? `${app}-${eff.env}`,
    context: e.context,
    kubernetesVersion: e.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION,
    capabilities: [...new Set(e.capabilities ?? [])].sort(),
    profile:
      e.profile ??
      (eff.env === 'dev' || eff.env === 'development' || eff.env === 'local' ? 'development' : 'production'),
    hosts: eff.ingress.hosts ?? (target === 'compose' ? ['localhost'] : []),
    deployOn: e.deployOn ? stripUndefined({ ...e.deployOn }) : undefined,
    approval: e.approval ?? false,
    secretSource: stripUndefined({
      type: secretSourceType,
      file: secretSourceType === 'env-file' ? (e.secrets?.file ?? '.env') : undefined,
      store: e.secrets?.store,
      storeKind:
        secretSourceType === 'external-secrets' ? (e.secrets?.storeKind ?? 'ClusterSecretStore') : undefined,
      name: e.secrets?.name ?? `${app}-secrets`,
      refreshIntervalSeconds: seconds(e.secrets?.refreshInterval ?? '1h'),
    }),
    images: stripUndefined({
      registry: eff.images.registry ?? eff.app.registry,
      tag: eff.images.tag,
      baseImages: { ...(eff.images.baseImages ?? {}) },
      pullPolicy: eff.images.pullPolicy ?? 'IfNotPresent',
    }),
  });
}

export function resolveResources(r: ResourcesSpec | undefined, fallbackPreset: string): ResourcesModel {
  if (r === undefined || typeof r === 'string') {
    const preset = r ?? fallbackPreset;
    const p = RESOURCE_PRESETS[preset] ?? RESOURCE_PRESETS.small;
    if (!p) throw new Error(`internal: no resource preset ${preset}`);
    return { preset, requests: { ...p.requests }, limits: { ...p.limits } };
  }
  const base = RESOURCE_PRESETS[fallbackPreset] ?? RESOURCE_PRESETS.small;
  if (!base) throw new Error('internal: no small preset');
  // A limit written without its request caps the preset's request, so requests never exceed limits.
  const capped = (preset: string, limit: string | number | undefined) =>
    limit !== undefined && quantityValue(limit) < quantityValue(preset) ? String(limit) : preset;
  const cpu = r.cpu !== undefined ? String(r.cpu) : capped(base.requests.cpu, r.limits?.cpu);
  const memory = r.memory ?? capped(base.requests.memory, r.limits?.memory);
  return {
    requests: { cpu, memory },
    limits: {
      cpu: r.limits?.cpu !== undefined ? String(r.limits.cpu) : doubleQuantity(cpu),
      memory: r.limits?.memory ?? doubleQuantity(memory),
    },
  };
}

function probe(kind: 'readiness' | 'liveness' | 'startup', t: ProbeTuningSpec | undefined): ProbeModel {
  const d = PROBE_DEFAULTS[kind];
  return {
    initialDelaySeconds: t?.initialDelay !== undefined ? seconds(t.initialDelay) : d.initialDelaySeconds,
    periodSeconds: t?.period !== undefined ? seconds(t.period) : d.periodSeconds,
    timeoutSeconds: t?.timeout !== undefined ? seconds(t.timeout) : d.timeoutSeconds,
    failureThreshold: t?.failureThreshold ?? d.failureThreshold,
    // Kubernetes requires 1 for liveness and startup probes.
    successThreshold: kind === 'readiness' ? (t?.successThreshold ?? d.successThreshold) : 1,
  };
}

function resolveService(
  eff: EffectiveSpec,
  name: string,
  s: ServiceSpec,
  envm: EnvironmentModel,
): ServiceModel {
  const kind = s.kind ?? 'web';
  const ports: PortModel[] = Object.entries(s.ports ?? {}).map(([pn, p]) =>
    typeof p === 'number'
      ? { name: pn, port: p, protocol: 'TCP' }
      : { name: pn, port: p.port, protocol: p.protocol ?? 'TCP' },
  );
  const portFor = (ref: string | number | undefined): PortModel => {
    if (typeof ref === 'number')
      return ports.find((p) => p.port === ref) ?? { name: `p${ref}`, port: ref, protocol: 'TCP' };
    const found = ref === undefined ? ports[0] : ports.find((p) => p.name === ref);
    if (!found) throw new Error(`internal: unresolved port ${String(ref)} of ${name}`);
    return found;
  };

  let health: HealthModel | undefined;
  const h = s.health;
  if (h?.enabled !== false && kind !== 'job' && kind !== 'cron') {
    const check = h?.http
      ? ({ type: 'http', path: h.http.path, port: portFor(h.http.port) } as const)
      : h?.tcp
        ? ({ type: 'tcp', port: portFor(h.tcp.port) } as const)
        : h?.exec
          ? ({ type: 'exec', command: h.exec.command } as const)
          : ports.length > 0
            ? ({ type: 'tcp', port: portFor(undefined) } as const)
            : undefined;
    if (check) {
      health = {
        check,
        readiness: probe('readiness', h?.readiness),
        liveness: probe('liveness', h?.liveness),
        startup: probe('startup', h?.startup),
      };
    }
  }

  const preset = s.build?.preset;
  const registry = envm.images.registry;
  const repo = registry
    ? `${registry.replace(/\/$/, '')}/${eff.app.name}-${name}`
    : `${eff.app.name}-${name}`;
  const tag = envm.images.tag ?? eff.app.version ?? '0.0.0-dev';
  const rt = preset ? RUNTIME_DEFAULTS[preset] : undefined;

  const autoscaling = resolveAutoscaling(s.autoscaling, s.replicas);
  const q = s.queueScaling;
  const strategy = s.rollout?.strategy ?? 'rolling';
  const model: ServiceModel = stripUndefined({
    name,
    kind,
    description: s.description,
    image: s.image ?? `${repo}:${tag}`,
    imageFrom: s.imageFrom,
    build: s.build
      ? stripUndefined({
          preset,
          context: s.build.context ?? '.',
          dockerfile: s.build.dockerfile,
          target: s.build.target,
          args: { ...(s.build.args ?? {}) },
          runtimeVersion: s.build.runtimeVersion ?? rt?.runtimeVersion ?? '',
          install: s.build.install ?? rt?.install ?? '',
          buildCommand: s.build.buildCommand ?? rt?.build,
          start: s.build.start,
          outputDir: s.build.outputDir ?? rt?.outputDir ?? '.',
          module: s.build.module ?? (preset === 'python' ? 'main:app' : undefined),
          server: s.build.server ?? (preset === 'python' ? 'uvicorn' : undefined),
        })
      : undefined,
    command: s.command,
    args: s.args,
    ports,
    health,
    env: Object.entries(s.env ?? {})
      .flatMap(([k, v]) => (v === null ? [] : [resolveEnvVar(k, v)]))
      .sort(byName),
    files: configFiles(s.files ?? []),
    volumes: Object.entries(s.volumes ?? {})
      .map(([vn, v]) =>
        stripUndefined({
          name: vn,
          path: v.path ?? '',
          size: v.size ?? '10Gi',
          storageClass: v.storageClass,
          accessMode: v.accessMode ?? 'ReadWriteOnce',
          backup: v.backup ?? true,
        }),
      )
      .sort(byName),
    writablePaths: [...new Set(['/tmp', ...(s.writablePaths ?? [])])].sort(),
    resources: resolveResources(s.resources, defaultResourcePreset(kind, preset)),
    replicas: kind === 'job' || kind === 'cron' ? 1 : (autoscaling?.min ?? s.replicas ?? 1),
    autoscaling,
    vpa: stripUndefined({
      mode: s.vpa?.mode ?? (envm.capabilities.includes('vpa') ? 'recommend' : 'off'),
      min: s.vpa?.min
        ? stripUndefined({ cpu: optString(s.vpa.min.cpu), memory: s.vpa.min.memory })
        : undefined,
      max: s.vpa?.max
        ? stripUndefined({ cpu: optString(s.vpa.max.cpu), memory: s.vpa.max.memory })
        : undefined,
    }),
    queueScaling:
      q && q.enabled !== false && q.dependency
        ? {
            dependency: q.dependency,
            queue: q.queue ?? q.list ?? '',
            list: q.list ?? `bull:${q.queue}:wait`,
            targetDepth: q.targetDepth ?? 20,
            min: q.min ?? 0,
            max: q.max ?? 10,
            pollIntervalSeconds: seconds(q.pollInterval ?? '15s'),
            cooldownSeconds: seconds(q.cooldown ?? '5m'),
          }
        : undefined,
    rollout: stripUndefined({
      strategy,
      autoPromote: s.rollout?.autoPromote ?? true,
      scaleDownDelaySeconds: seconds(s.rollout?.scaleDownDelay ?? '30s'),
      previewPath: s.rollout?.previewPath,
      // Never take a serving replica away before its replacement is ready.
      maxSurge: s.rollout?.maxSurge ?? '25%',
      maxUnavailable: s.rollout?.maxUnavailable ?? 0,
    }),
    uses: [...new Set(s.uses ?? [])].sort(),
    egress: (s.egress ?? []).map((e) => stripUndefined({ ...e })),
    hook: s.hook
      ? {
          phase: s.hook.phase,
          order: s.hook.order ?? 0,
          deadlineSeconds: seconds(s.hook.deadline ?? '10m'),
          retries: s.hook.retries ?? 0,
        }
      : undefined,
    schedule: s.schedule,
    timezone: s.timezone,
    metrics:
      s.metrics === false || (s.metrics === undefined && ports.length === 0)
        ? undefined
        : { path: s.metrics?.path ?? '/metrics', port: portFor(s.metrics?.port) },
    sessionAffinity: s.sessionAffinity ?? false,
    runAsUser: s.runAsUser ?? 10001,
    readOnlyRootFilesystem: s.readOnlyRootFilesystem ?? true,
    terminationGraceSeconds: seconds(s.terminationGrace ?? '30s'),
    labels: { ...(s.labels ?? {}) },
    annotations: { ...(s.annotations ?? {}) },
  });
  return model;
}

function resolveAutoscaling(
  a: AutoscalingSpec | undefined,
  replicas: number | undefined,
): AutoscalingModel | undefined {
  if (!a || a.enabled === false || a.max === undefined) return undefined;
  const cpu = a.cpu ?? (a.memory === undefined ? 70 : undefined);
  return stripUndefined({
    min: a.min ?? Math.max(1, Math.min(replicas ?? 2, a.max)),
    max: a.max,
    cpu,
    memory: a.memory,
    behavior: stripUndefined({
      scaleUp: rules(a.behavior?.scaleUp),
      scaleDown: rules(a.behavior?.scaleDown),
    }),
  });
}

function rules(r: ScalingRulesSpec | undefined): ScalingRulesModel | undefined {
  if (!r) return undefined;
  return stripUndefined({
    stabilizationSeconds: r.stabilization !== undefined ? seconds(r.stabilization) : undefined,
    policies: (r.policies ?? []).map((p) => ({
      type: p.type,
      value: p.value,
      periodSeconds: seconds(p.period),
    })),
    select: r.select,
  });
}

function resolveEnvVar(name: string, raw: string | number | boolean): EnvVarModel {
  if (typeof raw !== 'string') return { name, value: { kind: 'literal', value: String(raw) } };
  const { parts } = parseTemplate(raw);
  const first = parts[0];
  if (parts.length === 1 && first && 'ref' in first && first.ref.kind === 'secrets') {
    return { name, value: { kind: 'secret', secret: first.ref.name } };
  }
  if (parts.every((p) => 'text' in p))
    return {
      name,
      value: { kind: 'literal', value: parts.map((p) => ('text' in p ? p.text : '')).join('') },
    };
  const out: TemplatePartModel[] = parts.map((p) => {
    if ('text' in p) return { text: p.text };
    if (p.ref.kind === 'dependencies') return { dependency: p.ref.name, property: p.ref.property };
    if (p.ref.kind === 'services') return { service: p.ref.name, property: p.ref.property };
    throw new Error('internal: secret inside a template passed validation');
  });
  return { name, value: { kind: 'template', parts: out } };
}

function resolveDependency(eff: EffectiveSpec, name: string, envm: EnvironmentModel): DependencyModel {
  const d = eff.dependencies[name];
  if (!d?.type) throw new Error(`internal: dependency ${name} has no type`);
  const defaults = DEPENDENCY_DEFAULTS[d.type];
  const version = d.version ?? defaults.version;
  const mode = d.mode ?? 'self-hosted';
  return stripUndefined({
    name,
    type: d.type,
    mode,
    version,
    image: d.image ?? envm.images.baseImages[d.type] ?? defaults.image(version),
    database: d.type === 'postgres' ? (d.database ?? eff.app.name.replace(/-/g, '_')) : undefined,
    user: d.type === 'postgres' ? (d.user ?? eff.app.name.replace(/-/g, '_')) : undefined,
    port: mode === 'external' ? (d.external?.port ?? defaults.port) : defaults.port,
    storage: d.storage ?? defaults.storage,
    storageClass: d.storageClass,
    resources: resolveResources(d.resources, defaults.resources),
    instances: d.instances ?? (mode === 'ha' ? 3 : 1),
    sentinels: d.type === 'redis' && mode === 'ha' ? (d.sentinels ?? 3) : 0,
    persistence: d.persistence ?? true,
    parameters: { ...(d.parameters ?? {}) },
    external: mode === 'external' && d.external ? stripUndefined({ ...d.external }) : undefined,
    sqlitePath: mode === 'sqlite' ? (d.sqlitePath ?? ':memory:') : undefined,
    backup: d.backup ?? (d.type === 'postgres' && (mode === 'self-hosted' || mode === 'ha')),
  });
}

function resolveIngress(
  eff: EffectiveSpec,
  services: ServiceModel[],
  envm: EnvironmentModel,
): IngressModel | undefined {
  const i = eff.ingress;
  if (i.enabled === false || (i.routes ?? []).length === 0) return undefined;
  const routes = (i.routes ?? []).map((r) => {
    const svc = services.find((s) => s.name === r.service);
    const port =
      typeof r.port === 'number'
        ? svc?.ports.find((p) => p.port === r.port)
        : r.port === undefined
          ? svc?.ports[0]
          : svc?.ports.find((p) => p.name === r.port);
    if (!svc || !port) throw new Error(`internal: unresolved route ${r.path}`);
    return stripUndefined({
      host: r.host,
      path: r.path,
      pathType: r.pathType ?? ('Prefix' as const),
      service: r.service,
      port,
    });
  });
  let tls: IngressModel['tls'];
  if (i.tls !== false) {
    const issuer =
      i.tls?.issuer ??
      (i.tls?.secret === undefined && envm.capabilities.includes('cert-manager')
        ? 'letsencrypt-prod'
        : undefined);
    tls = stripUndefined({
      issuer,
      issuerKind: i.tls?.issuerKind ?? 'ClusterIssuer',
      secret: i.tls?.secret ?? `${eff.app.name}-tls`,
    });
  }
  const headers =
    i.securityHeaders === false
      ? {}
      : typeof i.securityHeaders === 'object'
        ? { ...SECURITY_HEADERS, ...i.securityHeaders }
        : { ...SECURITY_HEADERS };
  return stripUndefined({
    className: i.className ?? 'nginx',
    hosts: [...envm.hosts],
    tls,
    routes,
    securityHeaders: headers,
    cache: (i.cache ?? []).map((c) => ({
      path: c.path,
      maxAgeSeconds: seconds(c.maxAge),
      methods: c.methods ?? ['GET', 'HEAD'],
    })),
    maxBodySize: i.maxBodySize,
  });
}

/** Patches append, base first: index i of the merged list came from the base or the environment. */
function patchSource(spec: Spec, env: string, target: 'kubernetes' | 'compose', i: number): string {
  const base = spec.patches?.[target]?.length ?? 0;
  return i < base ? `patches.${target}[${i}]` : `environments.${env}.patches.${target}[${i - base}]`;
}

/** Config-map keys for mounted files: the base name, made key-safe; the whole path where two base names collide. */
function configFiles(files: { source: string; target: string }[]): ServiceModel['files'] {
  const safe = (s: string) => s.replace(/[^-._a-zA-Z0-9]/g, '_');
  const base = (s: string) => safe(s.split('/').pop() ?? s);
  const counts = new Map<string, number>();
  for (const f of files) counts.set(base(f.source), (counts.get(base(f.source)) ?? 0) + 1);
  return files.map((f) => ({
    source: f.source,
    target: f.target,
    key: (counts.get(base(f.source)) ?? 0) > 1 ? safe(f.source.replace(/^\.\//, '')) : base(f.source),
  }));
}

function optString(v: string | number | undefined): string | undefined {
  return v === undefined ? undefined : String(v);
}

/** Drop undefined properties so models compare and serialise cleanly under exactOptionalPropertyTypes. */
export function stripUndefined<T extends object>(o: T): Defined<T> {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o as Defined<T>;
}

/** Properties that may be undefined become optional ones, as exactOptionalPropertyTypes wants. */
type Defined<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & {
  [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>;
};
