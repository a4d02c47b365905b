/**
 * Feature switches: the on/off decisions an operator makes per environment, read from each
 * environment's model. An object (or a field, or a list item) rendered in some environments only
 * is wrapped in the switch whose per-environment values match exactly where it is rendered; the
 * candidates below name Slipway's own reasons for rendering each kind of object. When no candidate
 * matches, the builder falls back to `objects.<kind>.<name>.enabled`.
 */
import type { Model } from '../../model/types.ts';
import { objectName } from '../kubernetes/_names.ts';
import type { KubeObject } from '../kubernetes/_object.ts';
import { monitoringEnabled } from '../kubernetes/monitoring.ts';
import { usesArgoRollouts } from '../kubernetes/rollout.ts';
import type { Atom, Cond, ValuePath } from './ir.ts';
import type { ValueMeta } from './values.ts';

export interface SwitchDef {
  path: ValuePath;
  meta: ValueMeta;
  value: (m: Model) => string | boolean;
  /**
   * On/off add-ons (monitoring, network policies, autoscaling…) wrap their objects even when every
   * environment has them on, so an operator can turn them off. Choices between variants (rollout
   * strategy, Argo or plain, a dependency's mode) appear only where environments differ: where they
   * agree, the chart holds one variant, and flipping the choice would only remove it.
   */
  feature: boolean;
}

const sw = (
  path: ValuePath,
  description: string,
  value: (m: Model) => string | boolean,
  feature = true,
  extra: Partial<ValueMeta> = {},
): SwitchDef => ({ path, meta: { role: 'switch', description, ...extra }, value, feature });

const DEPENDENCY_MODES_ENUM = ['self-hosted', 'ha', 'external', 'sqlite'] as const;

/** Every switch the chart may use, for the services and dependencies of any environment. */
export function switchCatalogue(models: readonly Model[]): Map<string, SwitchDef> {
  const out = new Map<string, SwitchDef>();
  const add = (s: SwitchDef) => out.set(JSON.stringify(s.path), s);
  add(
    sw(
      ['namespace', 'create'],
      'Create the namespace (with its Pod Security labels) as part of the release.',
      () => true,
    ),
  );
  add(
    sw(
      ['monitoring', 'enabled'],
      'ServiceMonitors, the PrometheusRule and dashboards (needs the Prometheus Operator).',
      monitoringEnabled,
    ),
  );
  add(sw(['monitoring', 'dashboards'], 'Grafana dashboard ConfigMaps.', (m) => m.monitoring.dashboards));
  add(
    sw(
      ['networkPolicy', 'enabled'],
      'Zero-trust NetworkPolicies (default deny, then the communication graph).',
      (m) => m.security.networkPolicy === 'zero-trust',
    ),
  );
  add(
    sw(
      ['backup', 'enabled'],
      'Database backups (pg_dump CronJob or CloudNativePG ScheduledBackup).',
      (m) => m.backup.enabled,
    ),
  );
  add(
    sw(
      ['ingress', 'enabled'],
      'The Ingress (and its security-headers ConfigMap).',
      (m) => m.ingress !== undefined,
    ),
  );
  add(
    sw(
      ['ingress', 'tls', 'enabled'],
      'HTTPS on the Ingress (TLS section and HTTPS redirects).',
      (m) => m.ingress?.tls !== undefined,
    ),
  );
  add(
    sw(
      ['rollout', 'argoRollouts'],
      'Blue-green through Argo Rollouts (else two Deployments and a Service switch).',
      (m) => usesArgoRollouts(m),
    ),
  );
  add(
    sw(
      ['secrets', 'source'],
      'Where the app Secret comes from.',
      (m) => m.environment.secretSource.type,
      false,
      { enum: ['existing', 'external-secrets', 'sealed-secrets', 'env-file'] },
    ),
  );
  const services = new Set(models.flatMap((m) => m.services.map((s) => s.name)));
  for (const s of services) {
    const svc = (m: Model) => m.services.find((x) => x.name === s);
    add(sw(['services', s, 'enabled'], `Deploy ${s} at all.`, (m) => svc(m) !== undefined, false));
    add(
      sw(
        ['services', s, 'autoscaling', 'enabled'],
        `HorizontalPodAutoscaler for ${s}.`,
        (m) => svc(m)?.autoscaling !== undefined,
      ),
    );
    add(
      sw(
        ['services', s, 'queueScaling', 'enabled'],
        `KEDA ScaledObject scaling ${s} on its queue.`,
        (m) => svc(m)?.queueScaling !== undefined,
      ),
    );
    add(
      sw(['services', s, 'vpa', 'enabled'], `VerticalPodAutoscaler for ${s}.`, (m) => {
        const x = svc(m);
        return x !== undefined && x.vpa.mode !== 'off' && (x.kind === 'web' || x.kind === 'worker');
      }),
    );
    add(
      sw(
        ['services', s, 'podDisruptionBudget', 'enabled'],
        `PodDisruptionBudget for ${s} (Slipway adds one when more than one replica runs).`,
        (m) => {
          const x = svc(m);
          return (
            x !== undefined &&
            (x.kind === 'web' || x.kind === 'worker') &&
            Math.max(x.replicas, x.autoscaling?.min ?? 0, x.queueScaling?.min ?? 0) > 1
          );
        },
      ),
    );
    add(
      sw(
        ['services', s, 'rollout', 'strategy'],
        `How ${s} rolls out.`,
        (m) => svc(m)?.rollout.strategy ?? 'rolling',
        false,
        { enum: ['rolling', 'blue-green'] },
      ),
    );
    add(
      sw(
        ['services', s, 'metrics', 'enabled'],
        `Scrape ${s}'s metrics endpoint.`,
        (m) => svc(m)?.metrics !== undefined,
        false,
      ),
    );
  }
  const deps = new Set(models.flatMap((m) => m.dependencies.map((d) => d.name)));
  for (const d of deps) {
    add(
      sw(
        ['dependencies', d, 'mode'],
        `How ${d} runs: self-hosted (a StatefulSet), ha (an operator), external (a managed service reached through a secret) or sqlite.`,
        (m) => m.dependencies.find((x) => x.name === d)?.mode ?? 'external',
        false,
        { enum: [...DEPENDENCY_MODES_ENUM] },
      ),
    );
  }
  return out;
}

const on = (path: ValuePath): Atom => ({ path, op: 'truthy' });
const off = (path: ValuePath): Atom => ({ path, op: 'falsy' });
const eq = (path: ValuePath, value: string): Atom => ({ path, op: 'eq', value });

/** What an object is part of, read from its labels and names. */
export interface ObjectRole {
  component?: string;
  service?: string;
  dependency?: string;
}

export function roleOf(o: KubeObject, models: readonly Model[]): ObjectRole {
  const c = o.metadata.labels?.['app.kubernetes.io/component'];
  const out: ObjectRole = {};
  if (c !== undefined) out.component = c;
  if (c && models.some((m) => m.services.some((s) => s.name === c))) out.service = c;
  if (c && models.some((m) => m.dependencies.some((d) => d.name === c))) out.dependency = c;
  return out;
}

/** The dependency a backup object belongs to (a self-hosted PostgreSQL's pg_dump CronJob). */
function backupDependency(o: KubeObject, models: readonly Model[]): string | undefined {
  for (const m of models)
    for (const d of m.dependencies)
      if (
        o.metadata.name === `${objectName(m, d.name)}-backup` ||
        o.metadata.name.startsWith(`${objectName(m, d.name)}-backup`)
      )
        return d.name;
  const pg = [
    ...new Set(models.flatMap((m) => m.dependencies.filter((d) => d.type === 'postgres').map((d) => d.name))),
  ];
  return pg.length === 1 ? pg[0] : undefined;
}

/** Slipway's reasons for rendering an object, most specific first. */
export function objectCandidates(o: KubeObject, role: ObjectRole, models: readonly Model[]): Cond[] {
  const name = o.metadata.name;
  const s = role.service;
  const d = role.dependency;
  const svcOn = s ? [on(['services', s, 'enabled'])] : [];
  const mode = (x: string) => (d ? [eq(['dependencies', d, 'mode'], x)] : []);
  const np = on(['networkPolicy', 'enabled']);
  const mon = on(['monitoring', 'enabled']);
  const backupDep = () => {
    const bd = backupDependency(o, models);
    return bd ? [eq(['dependencies', bd, 'mode'], 'self-hosted')] : [];
  };
  switch (o.kind) {
    case 'Namespace':
      return [[on(['namespace', 'create'])]];
    case 'ServiceAccount':
      if (role.component === 'backup') return [[on(['backup', 'enabled']), ...backupDep()]];
      if (d) return [mode('self-hosted')];
      return [svcOn];
    case 'ExternalSecret':
      return [[eq(['secrets', 'source'], 'external-secrets')]];
    case 'SealedSecret':
      return [[eq(['secrets', 'source'], 'sealed-secrets')]];
    case 'ConfigMap':
      if (o.metadata.labels?.grafana_dashboard !== undefined)
        return [
          [mon, on(['monitoring', 'dashboards'])],
          [mon, on(['monitoring', 'dashboards']), ...(s ? [on(['services', s, 'metrics', 'enabled'])] : [])],
        ];
      if (role.component === 'ingress') return [[on(['ingress', 'enabled'])]];
      return [svcOn];
    case 'PersistentVolumeClaim':
      if (role.component === 'backup') return [[on(['backup', 'enabled']), ...backupDep()]];
      return [svcOn];
    case 'Service':
      if (d) return [mode('self-hosted')];
      if (s && name.endsWith('-preview'))
        return [[eq(['services', s, 'rollout', 'strategy'], 'blue-green'), ...svcOn]];
      return [svcOn];
    case 'StatefulSet':
      return [mode('self-hosted')];
    case 'Cluster':
    case 'RedisFailover':
      return [mode('ha')];
    case 'ScheduledBackup':
      return [[on(['backup', 'enabled']), ...mode('ha')], mode('ha')];
    case 'Job':
      return [svcOn];
    case 'CronJob':
      if (role.component === 'backup') return [[on(['backup', 'enabled']), ...backupDep()]];
      return [svcOn];
    case 'Deployment':
      if (s && (name.endsWith('-blue') || name.endsWith('-green')) && name !== objectNameIn(models, s))
        return [
          [
            eq(['services', s, 'rollout', 'strategy'], 'blue-green'),
            off(['rollout', 'argoRollouts']),
            ...svcOn,
          ],
        ];
      return s ? [[eq(['services', s, 'rollout', 'strategy'], 'rolling'), ...svcOn]] : [];
    case 'Rollout':
      return s
        ? [
            [
              eq(['services', s, 'rollout', 'strategy'], 'blue-green'),
              on(['rollout', 'argoRollouts']),
              ...svcOn,
            ],
          ]
        : [];
    case 'HorizontalPodAutoscaler':
      return s ? [[on(['services', s, 'autoscaling', 'enabled'])]] : [];
    case 'VerticalPodAutoscaler':
      return s ? [[on(['services', s, 'vpa', 'enabled'])]] : [];
    case 'ScaledObject':
      return s ? [[on(['services', s, 'queueScaling', 'enabled'])]] : [];
    case 'PodDisruptionBudget':
      return s ? [[on(['services', s, 'podDisruptionBudget', 'enabled'])]] : [];
    case 'NetworkPolicy':
      if (d) return [[np, { path: ['dependencies', d, 'mode'], op: 'in', values: ['self-hosted', 'ha'] }]];
      return [[np, ...svcOn]];
    case 'Ingress':
      return [[on(['ingress', 'enabled'])]];
    case 'ServiceMonitor':
      return [[mon], [mon, ...(s ? [on(['services', s, 'metrics', 'enabled'])] : [])]];
    case 'PrometheusRule':
      return [[mon]];
    default:
      return [];
  }
}

function objectNameIn(models: readonly Model[], component: string): string | undefined {
  const m = models[0];
  return m ? objectName(m, component) : undefined;
}

/** Reasons for a field present in some environments only: `<kind> <path>` → candidates. */
export function fieldCandidates(kind: string, path: readonly string[], role: ObjectRole): Cond[] {
  const s = role.service;
  const p = path.join('.');
  if ((kind === 'Deployment' || kind === 'Rollout') && p === 'spec.replicas' && s)
    return [
      [off(['services', s, 'autoscaling', 'enabled'])],
      [off(['services', s, 'queueScaling', 'enabled'])],
      [off(['services', s, 'autoscaling', 'enabled']), off(['services', s, 'queueScaling', 'enabled'])],
    ];
  if (kind === 'Ingress' && p === 'spec.tls') return [[on(['ingress', 'tls', 'enabled'])]];
  if (kind === 'Cluster' && p === 'spec.monitoring') return [[on(['monitoring', 'enabled'])]];
  if (kind === 'Cluster' && p === 'spec.backup') return [[on(['backup', 'enabled'])]];
  return [];
}

/** Reasons for a list item present in some environments only. */
export function itemCandidates(
  kind: string,
  path: readonly string[],
  item: unknown,
  models: readonly Model[],
): Cond[] {
  const p = path.join('.');
  const it = (item ?? {}) as Record<string, unknown>;
  if (kind === 'PrometheusRule' && p === 'spec.groups.rules') {
    const labels = (it.labels ?? {}) as Record<string, unknown>;
    const s = typeof labels.service === 'string' ? labels.service : undefined;
    const alert = typeof it.alert === 'string' ? it.alert : '';
    if (!s) return [];
    if (alert.endsWith('AutoscalerAtMax')) return [[on(['services', s, 'autoscaling', 'enabled'])]];
    if (alert.endsWith('QueueBacklog')) return [[on(['services', s, 'queueScaling', 'enabled'])]];
    if (alert.endsWith('HighErrorRate') || alert.endsWith('HighLatencyP95'))
      return [[on(['services', s, 'metrics', 'enabled'])]];
    return [[on(['services', s, 'enabled'])]];
  }
  if (kind === 'ExternalSecret' && p === 'spec.data' && typeof it.secretKey === 'string') {
    for (const m of models)
      for (const d of m.dependencies)
        if (it.secretKey === `${d.name}-password`)
          return [[eq(['dependencies', d.name, 'mode'], 'self-hosted')]];
  }
  return [];
}
