/**
 * ServiceAccounts and ConfigMaps: one ServiceAccount per workload (no token mounted: none of
 * them talk to the Kubernetes API), a ConfigMap of plain env values and one of mounted files.
 */
import type { Model } from '../../model/types.ts';
import { containerEnv } from './_env.ts';
import { labels } from './_names.ts';
import type { KubeObject, RenderContext } from './_object.ts';
import { envConfigMapName, filesConfigMapName, serviceAccountName } from './_pod.ts';

export function renderServiceAccounts(model: Model): KubeObject[] {
  const components = [
    ...model.services.map((s) => s.name),
    ...model.dependencies.filter((d) => d.mode === 'self-hosted').map((d) => d.name),
    ...(hasBackupJob(model) ? ['backup'] : []),
  ];
  return components.map((c) => ({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: {
      name: serviceAccountName(model, c),
      namespace: model.environment.namespace,
      labels: labels(model, c),
    },
    automountServiceAccountToken: false,
  }));
}

/** A pg_dump CronJob runs when a self-hosted PostgreSQL is backed up (operators back up their own). */
export function hasBackupJob(model: Model): boolean {
  return (
    model.backup.enabled &&
    model.dependencies.some((d) => d.type === 'postgres' && d.mode === 'self-hosted' && d.backup)
  );
}

export function renderConfigMaps(model: Model, ctx: RenderContext): KubeObject[] {
  const out: KubeObject[] = [];
  for (const svc of model.services) {
    const { plain } = containerEnv(model, svc);
    if (Object.keys(plain).length > 0) {
      out.push({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: envConfigMapName(model, svc),
          namespace: model.environment.namespace,
          labels: labels(model, svc.name),
        },
        data: sortKeys(plain),
      });
    }
    if (svc.files.length > 0) {
      out.push({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: filesConfigMapName(model, svc),
          namespace: model.environment.namespace,
          labels: labels(model, svc.name),
        },
        data: sortKeys(Object.fromEntries(svc.files.map((f) => [f.key, ctx.files.get(f.source) ?? '']))),
      });
    }
  }
  return out;
}

export function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
