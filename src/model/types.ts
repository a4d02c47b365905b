/**
 * The Model: one environment, fully decided. Renderers read only this; every default, preset
 * and reference has been resolved so that no renderer makes a policy decision of its own.
 * Durations are seconds, quantities are Kubernetes strings, lists are sorted by name.
 */

import type { DependencyProperty, ServiceProperty } from '../spec/references.ts';
import type {
  CLUSTER_CAPABILITIES,
  DEPENDENCY_MODES,
  DEPENDENCY_TYPES,
  RUNTIME_PRESETS,
  SECRET_SOURCES,
  SERVICE_KINDS,
  TARGETS,
} from '../spec/schema.ts';

export type Target = (typeof TARGETS)[number];
export type ServiceKind = (typeof SERVICE_KINDS)[number];
export type RuntimePreset = (typeof RUNTIME_PRESETS)[number];
export type DependencyType = (typeof DEPENDENCY_TYPES)[number];
export type DependencyMode = (typeof DEPENDENCY_MODES)[number];
export type Capability = (typeof CLUSTER_CAPABILITIES)[number];

export interface Model {
  app: AppModel;
  environment: EnvironmentModel;
  services: ServiceModel[];
  dependencies: DependencyModel[];
  ingress: IngressModel | undefined;
  secrets: SecretModel[];
  monitoring: MonitoringModel;
  backup: BackupModel;
  security: { networkPolicy: 'zero-trust' | 'open'; podSecurity: 'restricted' | 'baseline' };
  patches: PatchesModel;
  graph: Edge[];
}

export interface AppModel {
  name: string;
  description?: string;
  owner?: string;
  registry?: string;
  repository?: string;
  version?: string;
}

export interface EnvironmentModel {
  name: string;
  target: Target;
  namespace: string;
  context?: string;
  kubernetesVersion: string;
  capabilities: Capability[];
  profile: 'development' | 'production';
  hosts: string[];
  deployOn?: { branch?: string; tag?: string };
  approval: boolean;
  secretSource: SecretSourceModel;
  images: {
    registry?: string;
    tag?: string;
    baseImages: Record<string, string>;
    pullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  };
}

export interface SecretSourceModel {
  type: (typeof SECRET_SOURCES)[number];
  /** env-file: path relative to the spec. */
  file?: string;
  store?: string;
  storeKind?: 'SecretStore' | 'ClusterSecretStore';
  /** The Kubernetes Secret (or compose env file) that holds every secret of the app. */
  name: string;
  refreshIntervalSeconds: number;
}

export interface SecretModel {
  name: string;
  description?: string;
  /** Key inside the Secret object. */
  key: string;
  remoteKey: string;
  generate: boolean;
  /** Added by Slipway, not declared in the spec (e.g. a self-hosted database's password). */
  implicit?: boolean;
}

export interface ResourcesModel {
  preset?: string;
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
}

export interface ProbeModel {
  initialDelaySeconds: number;
  periodSeconds: number;
  timeoutSeconds: number;
  failureThreshold: number;
  successThreshold: number;
}

export type HealthCheck =
  | { type: 'http'; path: string; port: PortModel }
  | { type: 'tcp'; port: PortModel }
  | { type: 'exec'; command: string[] };

export interface HealthModel {
  check: HealthCheck;
  readiness: ProbeModel;
  liveness: ProbeModel;
  startup: ProbeModel;
}

export interface PortModel {
  name: string;
  port: number;
  protocol: 'TCP' | 'UDP';
}

export type EnvValue =
  | { kind: 'literal'; value: string }
  | { kind: 'secret'; secret: string }
  /** A string with references to dependency/service properties; parts are resolved per target. */
  | { kind: 'template'; parts: TemplatePartModel[] };

export type TemplatePartModel =
  | { text: string }
  | { dependency: string; property: DependencyProperty }
  | { service: string; property: ServiceProperty };

export interface EnvVarModel {
  name: string;
  value: EnvValue;
}

export interface BuildModel {
  preset?: RuntimePreset;
  context: string;
  dockerfile?: string;
  target?: string;
  args: Record<string, string>;
  runtimeVersion: string;
  install: string;
  buildCommand?: string;
  start?: string;
  outputDir: string;
  module?: string;
  server?: 'uvicorn' | 'gunicorn';
}

export interface AutoscalingModel {
  min: number;
  max: number;
  cpu?: number;
  memory?: number;
  behavior: { scaleUp?: ScalingRulesModel; scaleDown?: ScalingRulesModel };
}

export interface ScalingRulesModel {
  stabilizationSeconds?: number;
  policies: { type: 'percent' | 'pods'; value: number; periodSeconds: number }[];
  select?: 'max' | 'min' | 'disabled';
}

export interface QueueScalingModel {
  dependency: string;
  queue: string;
  list: string;
  targetDepth: number;
  min: number;
  max: number;
  pollIntervalSeconds: number;
  cooldownSeconds: number;
}

export interface RolloutModel {
  strategy: 'rolling' | 'blue-green';
  autoPromote: boolean;
  scaleDownDelaySeconds: number;
  previewPath?: string;
  maxSurge: number | string;
  maxUnavailable: number | string;
}

export interface ServiceModel {
  name: string;
  kind: ServiceKind;
  description?: string;
  /** Prebuilt image reference, or the image Slipway builds (registry/app-service:tag). */
  image: string;
  /** The service whose image this one runs (`imageFrom`), so deploys build it once. */
  imageFrom?: string;
  build?: BuildModel;
  command?: string[];
  args?: string[];
  ports: PortModel[];
  health?: HealthModel;
  env: EnvVarModel[];
  files: { source: string; target: string; key: string }[];
  volumes: {
    name: string;
    path: string;
    size: string;
    storageClass?: string;
    accessMode: string;
    backup: boolean;
  }[];
  writablePaths: string[];
  resources: ResourcesModel;
  replicas: number;
  autoscaling?: AutoscalingModel;
  vpa: {
    mode: 'off' | 'recommend' | 'auto';
    min?: { cpu?: string; memory?: string };
    max?: { cpu?: string; memory?: string };
  };
  queueScaling?: QueueScalingModel;
  rollout: RolloutModel;
  uses: string[];
  egress: { host?: string; cidr?: string; port: number; description?: string }[];
  hook?: { phase: 'pre-deploy' | 'post-deploy'; order: number; deadlineSeconds: number; retries: number };
  schedule?: string;
  timezone?: string;
  metrics?: { path: string; port: PortModel };
  sessionAffinity: boolean;
  runAsUser: number;
  readOnlyRootFilesystem: boolean;
  terminationGraceSeconds: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface DependencyModel {
  name: string;
  type: DependencyType;
  mode: DependencyMode;
  version: string;
  image: string;
  database?: string;
  user?: string;
  port: number;
  storage: string;
  storageClass?: string;
  resources: ResourcesModel;
  instances: number;
  sentinels: number;
  persistence: boolean;
  parameters: Record<string, string>;
  /** external: the declared secret holding the connection URL. */
  external?: { secret: string; host?: string; port?: number };
  sqlitePath?: string;
  backup: boolean;
}

export interface IngressModel {
  className: string;
  hosts: string[];
  tls?: { issuer?: string; issuerKind: 'ClusterIssuer' | 'Issuer'; secret: string };
  routes: { host?: string; path: string; pathType: 'Prefix' | 'Exact'; service: string; port: PortModel }[];
  securityHeaders: Record<string, string>;
  cache: { path: string; maxAgeSeconds: number; methods: ('GET' | 'HEAD')[] }[];
  maxBodySize?: string;
}

export interface MonitoringModel {
  enabled: boolean;
  level: 'basic' | 'full';
  dashboards: boolean;
  scrapeIntervalSeconds: number;
  labels: Record<string, string>;
  alerts: {
    errorRate: number;
    latencyP95Seconds: number;
    restarts: number;
    queueDepth: number;
    hpaAtMaxSeconds: number;
  };
}

export interface BackupModel {
  enabled: boolean;
  schedule: string;
  retentionSeconds: number;
  destination: {
    type: 'volume' | 's3';
    bucket?: string;
    prefix?: string;
    endpoint?: string;
    credentials?: string;
    size: string;
  };
  verify: boolean;
  continuous: boolean;
  walRetentionSeconds: number;
}

export interface PatchesModel {
  /** `source` is the spec path that wrote each patch, so problems point at its line. */
  kubernetes: {
    target: { kind: string; name?: string };
    merge?: Record<string, unknown>;
    jsonPatch?: unknown[];
    source: string;
  }[];
  compose: { service?: string; merge: Record<string, unknown>; source: string }[];
}

/** Who talks to whom: the source of network policies, compose networks and diagrams. */
export interface Edge {
  from: string;
  to: string;
  toKind: 'service' | 'dependency' | 'external' | 'ingress';
  port: number;
  /** Why the edge exists: `uses`, `env`, `route`, `egress`, `queue-scaling`. */
  reason: string;
}
