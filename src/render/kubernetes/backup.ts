/**
 * Backups of a self-hosted PostgreSQL: a CronJob that dumps in custom format to a volume,
 * checks that the dump is readable (pg_restore --list) and deletes dumps past retention.
 * Operator-managed databases are backed up by the operator (see dependencies.ts).
 */
import type { V1CronJob } from '@kubernetes/client-node';
import type { Model } from '../../model/types.ts';
import { appSecretName, postgresPasswordKey } from './_connections.ts';
import { childName, labels, objectName } from './_names.ts';
import type { KubeObject } from './_object.ts';
import { serviceAccountName } from './_pod.ts';
import { hasBackupJob } from './config.ts';

export function renderBackups(model: Model): KubeObject[] {
  if (!hasBackupJob(model)) return [];
  const ns = model.environment.namespace;
  const claim = objectName(model, 'backups');
  const days = Math.max(1, Math.round(model.backup.retentionSeconds / 86400));
  const out: KubeObject[] = [
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name: claim,
        namespace: ns,
        labels: labels(model, 'backup'),
        annotations: { 'slipway.dev/keep': 'true', 'helm.sh/resource-policy': 'keep' },
      },
      spec: {
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: model.backup.destination.size } },
      },
    },
  ];
  for (const d of model.dependencies.filter(
    (x) => x.type === 'postgres' && x.mode === 'self-hosted' && x.backup,
  )) {
    const file = `/backups/${d.name}-$(date -u +%Y%m%dT%H%M%SZ).dump`;
    const script = [
      'set -eu',
      `f="${file}"`,
      'pg_dump --format=custom --no-owner --file="$f.partial"',
      ...(model.backup.verify ? ['pg_restore --list "$f.partial" > /dev/null'] : []),
      'mv "$f.partial" "$f"',
      `find /backups -name '${d.name}-*.dump' -mtime +${days} -delete`,
      'echo "backup written: $f"',
    ].join('\n');
    const cron: V1CronJob & KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: {
        name: childName(model, d.name, `backup`),
        namespace: ns,
        labels: labels(model, 'backup'),
      },
      spec: {
        schedule: model.backup.schedule,
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: 600,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          spec: {
            backoffLimit: 2,
            activeDeadlineSeconds: 3600,
            template: {
              metadata: { labels: labels(model, 'backup') },
              spec: {
                serviceAccountName: serviceAccountName(model, 'backup'),
                automountServiceAccountToken: false,
                enableServiceLinks: false,
                restartPolicy: 'Never',
                securityContext: {
                  runAsNonRoot: true,
                  runAsUser: 999,
                  runAsGroup: 999,
                  fsGroup: 999,
                  seccompProfile: { type: 'RuntimeDefault' },
                },
                containers: [
                  {
                    name: 'pg-dump',
                    image: d.image,
                    imagePullPolicy: model.environment.images.pullPolicy,
                    command: ['/bin/sh', '-c', script],
                    env: [
                      { name: 'PGHOST', value: objectName(model, d.name) },
                      { name: 'PGPORT', value: String(d.port) },
                      { name: 'PGUSER', value: d.user ?? 'postgres' },
                      { name: 'PGDATABASE', value: d.database ?? 'postgres' },
                      {
                        name: 'PGPASSWORD',
                        valueFrom: {
                          secretKeyRef: { name: appSecretName(model), key: postgresPasswordKey(d) },
                        },
                      },
                    ],
                    resources: {
                      requests: { cpu: '100m', memory: '256Mi' },
                      limits: { cpu: '1', memory: '1Gi' },
                    },
                    securityContext: {
                      allowPrivilegeEscalation: false,
                      readOnlyRootFilesystem: true,
                      runAsNonRoot: true,
                      capabilities: { drop: ['ALL'] },
                    },
                    volumeMounts: [
                      { name: 'backups', mountPath: '/backups' },
                      { name: 'tmp', mountPath: '/tmp' },
                    ],
                  },
                ],
                volumes: [
                  { name: 'backups', persistentVolumeClaim: { claimName: claim } },
                  { name: 'tmp', emptyDir: {} },
                ],
              },
            },
          },
        },
      },
    };
    out.push(cron);
  }
  return out;
}
