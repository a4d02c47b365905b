/** One-line summaries of an environment's settings, shared by the matrix and the other documents. */
import type { DependencyModel, Model, ServiceModel } from '../../model/types.ts';
import { monitoringEnabled } from '../kubernetes/monitoring.ts';
import type { EnvContext } from './context.ts';
import { kubeName, objectsOfKind } from './context.ts';
import { describeCron, duration, ic } from './format.ts';
import { hostsOf } from './topology.ts';

export function targetText(m: Model): string {
  return m.environment.target === 'compose' ? `compose (${m.environment.profile})` : 'kubernetes';
}

export function tlsText(ctx: EnvContext): string {
  const ing = ctx.model.ingress;
  if (ctx.model.environment.target === 'compose') {
    if (!ctx.compose?.proxy) return 'none (no proxy)';
    return ing?.tls ? 'automatic HTTPS (Caddy, ACME)' : 'off (plain HTTP on 80)';
  }
  if (!ing) return 'none (no ingress)';
  if (!ing.tls) return 'off';
  return ing.tls.issuer
    ? `cert-manager ${ing.tls.issuerKind} ${ic(ing.tls.issuer)} → Secret ${ic(ing.tls.secret)}`
    : `provided Secret ${ic(ing.tls.secret)}`;
}

export function hostsText(m: Model): string {
  if (!m.ingress && m.environment.target === 'kubernetes') return '— (no ingress)';
  const h = m.ingress ? hostsOf(m) : m.environment.hosts;
  return h.length ? h.join(', ') : '—';
}

export function secretSourceText(m: Model): string {
  const s = m.environment.secretSource;
  switch (s.type) {
    case 'env-file':
      return `env file ${ic(s.file ?? '.env')}`;
    case 'external-secrets':
      return `External Secrets: ${s.storeKind} ${ic(s.store ?? '')}, refreshed every ${duration(s.refreshIntervalSeconds)}`;
    case 'sealed-secrets':
      return `Sealed Secrets${s.file ? ` (${ic(s.file)})` : ''} → Secret ${ic(s.name)}`;
    default:
      return `existing Secret ${ic(s.name)}`;
  }
}

export function monitoringText(ctx: EnvContext): string {
  const m = ctx.model;
  if (!m.monitoring.enabled) return 'off';
  const level = `${m.monitoring.level}${m.monitoring.dashboards ? ', dashboards' : ''}`;
  if (m.environment.target === 'compose')
    return `${level}: metrics endpoints only (compose renders no Prometheus)`;
  if (!monitoringEnabled(m)) return `${level}: nothing rendered (no prometheus-operator capability)`;
  return `${level}: ServiceMonitors every ${duration(m.monitoring.scrapeIntervalSeconds)}, alert rules`;
}

/** What Slipway backs up in this environment, and how often. */
export interface BackupFacts {
  /** Postgres dumped by a CronJob (kubernetes) or from the host's crontab (compose). */
  dumps: DependencyModel[];
  /** Postgres backed up by CloudNativePG to an object store. */
  cnpg: DependencyModel[];
  /** ha Postgres that is not backed up because no s3 destination is set. */
  cnpgMissing: DependencyModel[];
  external: DependencyModel[];
  schedule: ReturnType<typeof describeCron>;
}

export function backupFacts(ctx: EnvContext): BackupFacts {
  const m = ctx.model;
  const b = m.backup;
  const pg = m.dependencies.filter((d) => d.type === 'postgres');
  const compose = m.environment.target === 'compose';
  const s3 = b.destination.type === 's3' && b.destination.bucket !== undefined;
  return {
    dumps: b.enabled
      ? pg.filter((d) => d.backup && (d.mode === 'self-hosted' || (compose && d.mode === 'ha')))
      : [],
    cnpg: compose
      ? []
      : objectsOfKind(ctx, 'ScheduledBackup').flatMap((o) =>
          pg.filter((d) => kubeName(ctx, d.name) === o.metadata.name),
        ),
    cnpgMissing: compose ? [] : pg.filter((d) => d.mode === 'ha' && !(b.enabled && d.backup && s3)),
    external: m.dependencies.filter((d) => d.mode === 'external'),
    schedule: describeCron(b.schedule),
  };
}

export function backupText(ctx: EnvContext): string {
  const m = ctx.model;
  const f = backupFacts(ctx);
  const parts: string[] = [];
  const keep = `kept ${duration(m.backup.retentionSeconds)}`;
  if (f.dumps.length)
    parts.push(
      `${f.dumps.map((d) => d.name).join(', ')}: pg_dump ${f.schedule.text}, ${keep}${m.environment.target === 'compose' ? ' (from the host crontab)' : ` on volume ${m.backup.destination.size}`}`,
    );
  if (f.cnpg.length) {
    const d = m.backup.destination;
    parts.push(
      `${f.cnpg.map((x) => x.name).join(', ')}: CloudNativePG base backup ${f.schedule.text} + continuous WAL archiving to ${ic(`s3://${d.bucket}/${d.prefix ?? ''}`)}, ${keep}`,
    );
  }
  for (const d of f.cnpgMissing) parts.push(`${d.name}: **none** (ha needs backup.destination.type s3)`);
  for (const d of f.external) parts.push(`${d.name}: the provider's (external)`);
  if (parts.length === 0) return m.backup.enabled ? 'enabled, but nothing to back up' : 'none';
  return parts.join('; ');
}

export function replicasCell(
  m: Model,
  s: ServiceModel | undefined,
  range: { min: number; max: number; scaling?: string },
): string {
  if (!s) return '—';
  if (s.kind === 'job') return s.hook ? `job (${s.hook.phase} hook)` : 'job';
  if (s.kind === 'cron') return `cron ${ic(s.schedule ?? '')}`;
  const r = range.min === range.max ? String(range.min) : `${range.min}–${range.max}`;
  const tag =
    s.queueScaling && m.environment.target === 'kubernetes'
      ? ' (KEDA)'
      : s.autoscaling && m.environment.target === 'kubernetes'
        ? ' (HPA)'
        : '';
  return `${r}${tag}`;
}

/** Secrets CloudNativePG reads its object-store credentials from (not the app's Secret). */
export function objectStoreCredentials(ctx: EnvContext): { name: string; id: string; secret: string }[] {
  const out: { name: string; id: string; secret: string }[] = [];
  for (const o of objectsOfKind(ctx, 'Cluster')) {
    const cred = (
      o.spec as {
        backup?: {
          barmanObjectStore?: {
            s3Credentials?: {
              accessKeyId?: { name: string; key: string };
              secretAccessKey?: { key: string };
            };
          };
        };
      }
    ).backup?.barmanObjectStore?.s3Credentials;
    if (cred?.accessKeyId && !out.some((x) => x.name === cred.accessKeyId?.name))
      out.push({
        name: cred.accessKeyId.name,
        id: cred.accessKeyId.key,
        secret: cred.secretAccessKey?.key ?? '',
      });
  }
  return out;
}

/** The command that creates an object-store credentials Secret (values from the shell, never written). */
export function objectStoreSecretCommand(
  ctx: EnvContext,
  c: { name: string; id: string; secret: string },
): string {
  return `${ctx.kube?.kubectl} create secret generic ${c.name} \\\n  --from-literal=${c.id}="$${c.id}" \\\n  --from-literal=${c.secret}="$${c.secret}"`;
}
