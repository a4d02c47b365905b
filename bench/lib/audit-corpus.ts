/**
 * A generated corpus of hand-written-looking Kubernetes manifests for the audit benchmark: `apps`
 * applications of 10 objects each (Deployment, Service, ConfigMap, ServiceAccount, HPA, PDB,
 * NetworkPolicy, Ingress, a database StatefulSet and its headless Service), in 20 namespaces, 10
 * applications (100 objects) per multi-document file. Some applications carry the mistakes the
 * tools look for — `:latest` images, missing resources, probes or security contexts, an Ingress
 * without TLS, a password in a ConfigMap — so every tool has findings to report, not only objects to
 * read. Deterministic: the same files on every run.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

export interface AuditCorpus {
  dir: string;
  files: string[];
  objects: number;
  bytes: number;
}

const PER_FILE = 10;

function app(i: number): object[] {
  const name = `app-${String(i).padStart(4, '0')}`;
  const namespace = `team-${i % 20}`;
  const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'corpus' };
  const meta = (n: string) => ({ name: n, namespace, labels });
  const hardened = i % 4 !== 0;
  const container = {
    name,
    image: i % 7 === 0 ? `registry.example.com/${name}:latest` : `registry.example.com/${name}:1.${i}.0`,
    ports: [{ name: 'http', containerPort: 8080 }],
    envFrom: [{ configMapRef: { name: `${name}-config` } }],
    ...(i % 5 !== 0
      ? { resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } } }
      : {}),
    ...(i % 6 !== 0
      ? {
          readinessProbe: { httpGet: { path: '/ready', port: 'http' } },
          livenessProbe: { httpGet: { path: '/health', port: 'http' } },
        }
      : {}),
    ...(hardened
      ? {
          securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'] },
          },
        }
      : {}),
  };
  const podSecurity = hardened
    ? { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } }
    : undefined;
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(name),
      spec: {
        replicas: 2,
        selector: { matchLabels: { 'app.kubernetes.io/name': name } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: name,
            ...(podSecurity ? { securityContext: podSecurity } : {}),
            containers: [container],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(name),
      spec: {
        selector: { 'app.kubernetes.io/name': name },
        ports: [{ name: 'http', port: 80, targetPort: 'http' }],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta(`${name}-config`),
      data: {
        LOG_LEVEL: 'info',
        DATABASE_HOST: `${name}-db`,
        ...(i % 9 === 0 ? { DATABASE_PASSWORD: `s3cr3t-${i}-Xq9` } : {}),
      },
    },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(name) },
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta(name),
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
        minReplicas: 2,
        maxReplicas: 10,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
          },
        ],
      },
    },
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: meta(name),
      spec: { minAvailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': name } } },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta(name),
      spec: {
        podSelector: { matchLabels: { 'app.kubernetes.io/name': name } },
        policyTypes: ['Ingress'],
        ingress: [{ ports: [{ protocol: 'TCP', port: 8080 }] }],
      },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: meta(name),
      spec: {
        ingressClassName: 'nginx',
        ...(i % 3 !== 0 ? { tls: [{ hosts: [`${name}.example.com`], secretName: `${name}-tls` }] } : {}),
        rules: [
          {
            host: `${name}.example.com`,
            http: {
              paths: [
                { path: '/', pathType: 'Prefix', backend: { service: { name, port: { name: 'http' } } } },
              ],
            },
          },
        ],
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: meta(`${name}-db`),
      spec: {
        serviceName: `${name}-db`,
        replicas: 1,
        selector: { matchLabels: { 'app.kubernetes.io/name': `${name}-db` } },
        template: {
          metadata: { labels: { 'app.kubernetes.io/name': `${name}-db` } },
          spec: {
            containers: [
              {
                name: 'postgres',
                image: 'postgres:16.4',
                ports: [{ name: 'pg', containerPort: 5432 }],
                env: [
                  {
                    name: 'POSTGRES_PASSWORD',
                    valueFrom: { secretKeyRef: { name: `${name}-db`, key: 'password' } },
                  },
                ],
                resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '1Gi' } },
                volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql/data' }],
              },
            ],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } },
          },
        ],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(`${name}-db`),
      spec: {
        clusterIP: 'None',
        selector: { 'app.kubernetes.io/name': `${name}-db` },
        ports: [{ name: 'pg', port: 5432, targetPort: 'pg' }],
      },
    },
  ];
}

/** Writes the corpus to a new temporary folder (the caller deletes it). */
export function writeAuditCorpus(objects = 10_000): AuditCorpus {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-audit-corpus-'));
  const apps = Math.ceil(objects / 10);
  const files: string[] = [];
  let bytes = 0;
  let count = 0;
  for (let start = 0; start < apps; start += PER_FILE) {
    const docs: object[] = [];
    for (let i = start; i < Math.min(apps, start + PER_FILE); i++) docs.push(...app(i));
    const text = docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n');
    const file = join(dir, `apps-${String(start / PER_FILE).padStart(3, '0')}.yaml`);
    writeFileSync(file, text);
    files.push(file);
    bytes += Buffer.byteLength(text);
    count += docs.length;
  }
  return { dir, files, objects: count, bytes };
}
