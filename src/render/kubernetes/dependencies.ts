/**
 * Backing services in the cluster. Self-hosted: a hardened StatefulSet with a volume per pod
 * and a headless Service. ha: the operator's objects (a CloudNativePG Cluster; a Spotahome
 * RedisFailover with sentinels). external and sqlite: nothing — the app reaches them through
 * a secret or a file.
 */
import type { V1Container, V1StatefulSet } from '@kubernetes/client-node';
import type { DependencyModel, Model } from '../../model/types.ts';
import { appSecretName, postgresPasswordKey } from './_connections.ts';
import { labels, objectName, selectorLabels } from './_names.ts';
import type { KubeObject } from './_object.ts';
import { serviceAccountName } from './_pod.ts';

/** Official postgres and redis images run as uid 999. */
const DB_UID = 999;

export function renderDependencies(model: Model): KubeObject[] {
  const out: KubeObject[] = [];
  for (const d of model.dependencies) {
    if (d.mode === 'self-hosted') out.push(headlessService(model, d), statefulSet(model, d));
    else if (d.mode === 'ha' && d.type === 'postgres') out.push(...cnpgCluster(model, d));
    else if (d.mode === 'ha' && d.type === 'redis') out.push(redisFailover(model, d));
  }
  return out;
}

function headlessService(model: Model, d: DependencyModel): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: objectName(model, d.name),
      namespace: model.environment.namespace,
      labels: labels(model, d.name),
    },
    spec: {
      clusterIP: 'None',
      selector: selectorLabels(model, d.name),
      ports: [{ name: d.type, port: d.port, targetPort: d.type, protocol: 'TCP' }],
    },
  };
}

function container(model: Model, d: DependencyModel): V1Container {
  const exec = (command: string[], period: number, failure: number) => ({
    exec: { command },
    periodSeconds: period,
    timeoutSeconds: 5,
    failureThreshold: failure,
  });
  if (d.type === 'postgres') {
    const ready = [
      'pg_isready',
      '-U',
      d.user ?? 'postgres',
      '-d',
      d.database ?? 'postgres',
      '-h',
      '127.0.0.1',
    ];
    return {
      name: 'postgres',
      image: d.image,
      imagePullPolicy: model.environment.images.pullPolicy,
      args: Object.entries(d.parameters).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
      ports: [{ name: 'postgres', containerPort: d.port, protocol: 'TCP' }],
      env: [
        { name: 'POSTGRES_USER', value: d.user ?? 'postgres' },
        { name: 'POSTGRES_DB', value: d.database ?? 'postgres' },
        {
          name: 'POSTGRES_PASSWORD',
          valueFrom: { secretKeyRef: { name: appSecretName(model), key: postgresPasswordKey(d) } },
        },
        // A subdirectory: the volume's root holds lost+found on many storage classes.
        { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
      ],
      resources: { requests: { ...d.resources.requests }, limits: { ...d.resources.limits } },
      startupProbe: exec(ready, 5, 60),
      readinessProbe: exec(ready, 10, 3),
      livenessProbe: exec(ready, 20, 6),
      securityContext: hardened(),
      volumeMounts: [
        { name: 'data', mountPath: '/var/lib/postgresql/data' },
        { name: 'run', mountPath: '/var/run/postgresql' },
        { name: 'tmp', mountPath: '/tmp' },
      ],
    };
  }
  const ping = ['redis-cli', 'ping'];
  return {
    name: 'redis',
    image: d.image,
    imagePullPolicy: model.environment.images.pullPolicy,
    args: d.persistence ? ['--appendonly', 'yes', '--dir', '/data'] : ['--save', '', '--appendonly', 'no'],
    ports: [{ name: 'redis', containerPort: d.port, protocol: 'TCP' }],
    resources: { requests: { ...d.resources.requests }, limits: { ...d.resources.limits } },
    startupProbe: exec(ping, 5, 30),
    readinessProbe: exec(ping, 10, 3),
    livenessProbe: exec(ping, 20, 6),
    securityContext: hardened(),
    volumeMounts: [
      { name: 'data', mountPath: '/data' },
      { name: 'tmp', mountPath: '/tmp' },
    ],
  };
}

function hardened() {
  return {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: DB_UID,
    runAsGroup: DB_UID,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

function statefulSet(model: Model, d: DependencyModel): KubeObject {
  const name = objectName(model, d.name);
  const volumes = [
    { name: 'tmp', emptyDir: {} },
    ...(d.type === 'postgres' ? [{ name: 'run', emptyDir: {} }] : []),
  ];
  const claim = {
    // Claim templates are immutable: only labels that never change between releases.
    metadata: { name: 'data', labels: selectorLabels(model, d.name) },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: d.storage } },
      ...(d.storageClass ? { storageClassName: d.storageClass } : {}),
    },
  };
  const sts: V1StatefulSet & KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: model.environment.namespace, labels: labels(model, d.name) },
    spec: {
      serviceName: name,
      replicas: 1,
      selector: { matchLabels: selectorLabels(model, d.name) },
      // Keep the data when the StatefulSet is deleted or scaled down; losing it must be deliberate.
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      template: {
        metadata: { labels: labels(model, d.name) },
        spec: {
          serviceAccountName: serviceAccountName(model, d.name),
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: DB_UID,
            runAsGroup: DB_UID,
            fsGroup: DB_UID,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          terminationGracePeriodSeconds: 60,
          containers: [container(model, d)],
          volumes,
        },
      },
      ...(d.persistence || d.type === 'postgres' ? { volumeClaimTemplates: [claim] } : {}),
    },
  };
  if (!(d.persistence || d.type === 'postgres')) {
    sts.spec?.template.spec?.volumes?.push({ name: 'data', emptyDir: {} });
  }
  return sts;
}

/** CloudNativePG schedules use six fields (seconds first). */
function sixFieldCron(schedule: string): string {
  return schedule.startsWith('@') ? schedule : `0 ${schedule}`;
}

function cnpgCluster(model: Model, d: DependencyModel): KubeObject[] {
  const name = objectName(model, d.name);
  const b = model.backup;
  const s3 = b.enabled && d.backup && b.destination.type === 's3' && b.destination.bucket !== undefined;
  const days = Math.max(1, Math.round(b.retentionSeconds / 86400));
  const cluster: KubeObject = {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Cluster',
    metadata: { name, namespace: model.environment.namespace, labels: labels(model, d.name) },
    spec: {
      instances: d.instances,
      imageName: d.image.includes('cloudnative-pg')
        ? d.image
        : `ghcr.io/cloudnative-pg/postgresql:${d.version}`,
      primaryUpdateStrategy: 'unsupervised',
      ...(Object.keys(d.parameters).length > 0 ? { postgresql: { parameters: { ...d.parameters } } } : {}),
      bootstrap: { initdb: { database: d.database, owner: d.user } },
      storage: { size: d.storage, ...(d.storageClass ? { storageClass: d.storageClass } : {}) },
      resources: { requests: { ...d.resources.requests }, limits: { ...d.resources.limits } },
      ...(model.monitoring.enabled && model.environment.capabilities.includes('prometheus-operator')
        ? { monitoring: { enablePodMonitor: true } }
        : {}),
      ...(s3
        ? {
            backup: {
              retentionPolicy: `${days}d`,
              barmanObjectStore: {
                destinationPath: `s3://${b.destination.bucket}/${b.destination.prefix ?? `${model.app.name}/${d.name}`}`,
                ...(b.destination.endpoint ? { endpointURL: b.destination.endpoint } : {}),
                ...(b.destination.credentials
                  ? {
                      s3Credentials: {
                        accessKeyId: { name: b.destination.credentials, key: 'ACCESS_KEY_ID' },
                        secretAccessKey: { name: b.destination.credentials, key: 'SECRET_ACCESS_KEY' },
                      },
                    }
                  : {}),
                wal: { compression: 'gzip' },
                data: { compression: 'gzip' },
              },
            },
          }
        : {}),
    },
  };
  if (!s3) return [cluster];
  return [
    cluster,
    {
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'ScheduledBackup',
      metadata: { name, namespace: model.environment.namespace, labels: labels(model, d.name) },
      spec: {
        schedule: sixFieldCron(b.schedule),
        backupOwnerReference: 'self',
        cluster: { name },
        method: 'barmanObjectStore',
      },
    },
  ];
}

function redisFailover(model: Model, d: DependencyModel): KubeObject {
  return {
    apiVersion: 'databases.spotahome.com/v1',
    kind: 'RedisFailover',
    metadata: {
      name: objectName(model, d.name),
      namespace: model.environment.namespace,
      labels: labels(model, d.name),
    },
    spec: {
      sentinel: {
        replicas: d.sentinels,
        resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '400m', memory: '512Mi' } },
      },
      redis: {
        replicas: d.instances,
        image: d.image,
        resources: { requests: { ...d.resources.requests }, limits: { ...d.resources.limits } },
        ...(d.persistence
          ? {
              storage: {
                keepAfterDeletion: true,
                persistentVolumeClaim: {
                  metadata: { name: 'data' },
                  spec: {
                    accessModes: ['ReadWriteOnce'],
                    resources: { requests: { storage: d.storage } },
                    ...(d.storageClass ? { storageClassName: d.storageClass } : {}),
                  },
                },
              },
            }
          : {}),
      },
    },
  };
}
