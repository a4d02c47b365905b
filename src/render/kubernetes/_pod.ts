/**
 * The pod every Slipway workload runs in, hardened by default: restricted Pod Security, a
 * dedicated ServiceAccount without a token, read-only root filesystem with emptyDirs where the
 * app must write, probes, requests and limits, spread across nodes, and a checksum of its
 * configuration so a config change rolls the pods.
 */
import type {
  V1Container,
  V1PodSpec,
  V1PodTemplateSpec,
  V1Probe,
  V1Volume,
  V1VolumeMount,
} from '@kubernetes/client-node';
import type { Model, ProbeModel, ServiceModel } from '../../model/types.ts';
import { containerEnv } from './_env.ts';
import { childName, contentHash, labels, objectName, selectorLabels } from './_names.ts';
import type { RenderContext } from './_object.ts';

export interface PodOptions {
  /** Extra labels on the pod (and in its selector), e.g. the blue-green colour. */
  extraLabels?: Record<string, string>;
  /** Jobs never restart in place; long-running pods do. */
  restartPolicy?: 'Always' | 'OnFailure' | 'Never';
}

export function envConfigMapName(model: Model, svc: ServiceModel): string {
  return childName(model, svc.name, `env`);
}

export function filesConfigMapName(model: Model, svc: ServiceModel): string {
  return childName(model, svc.name, `files`);
}

export function serviceAccountName(model: Model, component: string): string {
  return objectName(model, component);
}

export function volumeClaimName(model: Model, svc: ServiceModel, volume: string): string {
  return childName(model, svc.name, `${volume}`);
}

export function podTemplate(
  model: Model,
  svc: ServiceModel,
  ctx: RenderContext,
  opts: PodOptions = {},
): V1PodTemplateSpec {
  const { plain, env } = containerEnv(model, svc);
  const files = Object.fromEntries(svc.files.map((f) => [f.key, ctx.files.get(f.source) ?? '']));
  const volumes: V1Volume[] = [];
  const mounts: V1VolumeMount[] = [];

  if (svc.files.length > 0) {
    volumes.push({ name: 'config-files', configMap: { name: filesConfigMapName(model, svc) } });
    for (const f of svc.files)
      mounts.push({ name: 'config-files', mountPath: f.target, subPath: f.key, readOnly: true });
  }
  svc.writablePaths.forEach((path, i) => {
    const name = i === 0 && path === '/tmp' ? 'tmp' : `writable-${i}`;
    volumes.push({ name, emptyDir: {} });
    mounts.push({ name, mountPath: path });
  });
  for (const v of svc.volumes) {
    volumes.push({
      name: `data-${v.name}`,
      persistentVolumeClaim: { claimName: volumeClaimName(model, svc, v.name) },
    });
    mounts.push({ name: `data-${v.name}`, mountPath: v.path });
  }

  const container: V1Container = {
    name: svc.name,
    image: svc.image,
    imagePullPolicy: model.environment.images.pullPolicy,
    ...(svc.command ? { command: svc.command } : {}),
    ...(svc.args ? { args: svc.args } : {}),
    ...(svc.ports.length > 0
      ? { ports: svc.ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: p.protocol })) }
      : {}),
    ...(Object.keys(plain).length > 0
      ? { envFrom: [{ configMapRef: { name: envConfigMapName(model, svc) } }] }
      : {}),
    ...(env.length > 0 ? { env } : {}),
    resources: { requests: { ...svc.resources.requests }, limits: { ...svc.resources.limits } },
    ...probes(svc),
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: svc.readOnlyRootFilesystem,
      runAsNonRoot: true,
      runAsUser: svc.runAsUser,
      runAsGroup: svc.runAsUser,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    ...(mounts.length > 0 ? { volumeMounts: mounts } : {}),
  };

  const spec: V1PodSpec = {
    serviceAccountName: serviceAccountName(model, svc.name),
    automountServiceAccountToken: false,
    // Service links put every Service of the namespace into the environment: noise, and a leak.
    enableServiceLinks: false,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: svc.runAsUser,
      runAsGroup: svc.runAsUser,
      fsGroup: svc.runAsUser,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    terminationGracePeriodSeconds: svc.terminationGraceSeconds,
    containers: [container],
    ...(volumes.length > 0 ? { volumes } : {}),
    ...(opts.restartPolicy ? { restartPolicy: opts.restartPolicy } : {}),
  };
  if (svc.kind === 'web' || svc.kind === 'worker') {
    spec.topologySpreadConstraints = [
      {
        maxSkew: 1,
        topologyKey: 'kubernetes.io/hostname',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: { ...selectorLabels(model, svc.name), ...(opts.extraLabels ?? {}) } },
      },
    ];
  }

  return {
    metadata: {
      labels: labels(model, svc.name, opts.extraLabels),
      annotations: {
        ...svc.annotations,
        'checksum/config': contentHash({ plain, files }),
      },
    },
    spec,
  };
}

function probe(check: NonNullable<ServiceModel['health']>['check'], p: ProbeModel): V1Probe {
  const action =
    check.type === 'http'
      ? { httpGet: { path: check.path, port: check.port.name } }
      : check.type === 'tcp'
        ? { tcpSocket: { port: check.port.name } }
        : { exec: { command: check.command } };
  return {
    ...action,
    ...(p.initialDelaySeconds > 0 ? { initialDelaySeconds: p.initialDelaySeconds } : {}),
    periodSeconds: p.periodSeconds,
    timeoutSeconds: p.timeoutSeconds,
    failureThreshold: p.failureThreshold,
    successThreshold: p.successThreshold,
  };
}

function probes(svc: ServiceModel): Pick<V1Container, 'readinessProbe' | 'livenessProbe' | 'startupProbe'> {
  const h = svc.health;
  if (!h) return {};
  // Liveness asks only "is the process answering?": an HTTP health endpoint that checks a
  // database would otherwise restart every replica during a database outage.
  const live = h.check.type === 'http' ? ({ type: 'tcp', port: h.check.port } as const) : h.check;
  return {
    startupProbe: probe(h.check, h.startup),
    readinessProbe: probe(h.check, h.readiness),
    livenessProbe: probe(live, h.liveness),
  };
}
