/** Pieces both runbooks share: smoke-test URLs, recovery points and times, the runbook page frame. */
import type { IngressModel } from '../../../model/types.ts';
import type { EnvContext } from '../context.ts';
import { kubeName, objectsOf } from '../context.ts';
import { blocks, duration, ic, table } from '../format.ts';
import type { Doc } from '../page.ts';
import { backupFacts, targetText } from '../summary.ts';
import { hostsOf, publishedPorts } from '../topology.ts';

export interface RunbookParts {
  deploy: string;
  rollback: string;
  backup: string;
  dr: string;
  troubleshooting: string;
}

/** A numbered list whose items may hold paragraphs and code blocks. */
export function numbered(items: string[]): string {
  return items
    .map(
      (item, i) =>
        `${i + 1}. ${item
          .split('\n')
          .map((l, j) => (j === 0 || l === '' ? l : `   ${l}`))
          .join('\n')}`,
    )
    .join('\n');
}

/** The route an ingress sends a path on a host to: the most specific match, as the controller does. */
function routeFor(ing: IngressModel, host: string, path: string): IngressModel['routes'][number] | undefined {
  const candidates = ing.routes.filter((r) => {
    if (r.host !== undefined && r.host !== host) return false;
    if (r.pathType === 'Exact') return r.path === path;
    const p = r.path.replace(/\/+$/, '');
    return p === '' || path === p || path.startsWith(`${p}/`);
  });
  return candidates.sort((a, b) => {
    const la = a.path.replace(/\/+$/, '').length;
    const lb = b.path.replace(/\/+$/, '').length;
    if (la !== lb) return lb - la;
    if (a.pathType !== b.pathType) return a.pathType === 'Exact' ? -1 : 1;
    return (a.host === undefined ? 1 : 0) - (b.host === undefined ? 1 : 0);
  })[0];
}

/** URLs that reach a service's HTTP health check from outside (only where the route really leads there). */
export function healthUrls(ctx: EnvContext): string[] {
  const m = ctx.model;
  const ing = m.ingress;
  const out: string[] = [];
  const entry = m.environment.target === 'kubernetes' ? !!ing : !!ctx.compose?.proxy;
  for (const s of m.services) {
    const h = s.health?.check;
    if (h?.type !== 'http') continue;
    if (entry && ing) {
      for (const host of hostsOf(m))
        if (routeFor(ing, host, h.path)?.service === s.name)
          out.push(`${ing.tls ? 'https' : 'http'}://${host}${h.path}`);
    } else if (m.environment.target === 'compose') {
      const p =
        publishedPorts(ctx, s.name).find((x) => x.endsWith(`:${h.port.port}`)) ??
        publishedPorts(ctx, s.name)[0];
      if (p) out.push(`http://${p}${h.path}`);
    }
  }
  return [...new Set(out)];
}

/** Per data store: how it is backed up, how much can be lost, where the backups live. */
export function rpoRows(ctx: EnvContext): string[][] {
  const m = ctx.model;
  const f = backupFacts(ctx);
  const k8s = m.environment.target === 'kubernetes';
  const every =
    f.schedule.intervalSeconds !== undefined ? duration(f.schedule.intervalSeconds) : 'one schedule interval';
  const rows: string[][] = [];
  for (const d of m.dependencies) {
    const label = `${d.name} (${d.mode === 'sqlite' ? 'sqlite' : d.type})`;
    if (d.mode === 'external') {
      rows.push([
        label,
        'the provider',
        "the provider's (point-in-time recovery where offered)",
        d.external?.host ? ic(d.external.host) : 'the provider',
      ]);
    } else if (d.mode === 'sqlite') {
      rows.push([
        label,
        'none',
        d.sqlitePath === ':memory:' ? 'everything, at every restart' : 'everything since your last copy',
        d.sqlitePath === ':memory:' ? 'memory' : ic(d.sqlitePath ?? ''),
      ]);
    } else if (d.type === 'redis') {
      rows.push([
        label,
        'none',
        'its contents (queues and caches the app rebuilds)',
        d.persistence ? 'its volume' : 'memory',
      ]);
    } else if (f.cnpg.includes(d)) {
      const dest = m.backup.destination;
      rows.push([
        label,
        `base backup ${f.schedule.text} + continuous WAL archiving`,
        'minutes: WAL segments are archived as they fill, and at least every 5 minutes (CloudNativePG default)',
        ic(`s3://${dest.bucket}/${dest.prefix ?? `${m.app.name}/${d.name}`}`),
      ]);
    } else if (f.dumps.includes(d)) {
      rows.push(
        k8s
          ? [
              label,
              `pg_dump ${f.schedule.text}`,
              `${every} while the backup volume survives; otherwise everything since your last off-cluster copy`,
              `volume ${ic(objectsOf(ctx, 'backup', ['PersistentVolumeClaim'])[0]?.metadata.name ?? '')} in the same namespace`,
            ]
          : [
              label,
              `pg_dump from the host's crontab, ${f.schedule.text}`,
              `${every}, once the crontab entry is installed`,
              'files on the same server: copy them off',
            ],
      );
    } else {
      rows.push([
        label,
        '**none**',
        '**everything**',
        k8s
          ? `volume ${ic(`data-${kubeName(ctx, d.name)}-0`)}`
          : `volume ${ic(`${ctx.compose?.project}_${d.name}-data`)}`,
      ]);
    }
  }
  for (const s of m.services)
    for (const v of s.volumes)
      rows.push([
        `${s.name} volume ${v.name}`,
        'none (copy by hand, below)',
        'everything since your last copy',
        k8s
          ? `claim ${ic(`${kubeName(ctx, s.name)}-${v.name}`)}`
          : `volume ${ic(`${ctx.compose?.project}_${s.name}-${v.name}`)}`,
      ]);
  return rows;
}

export function drHeader(ctx: EnvContext): string {
  return `When ${ctx.model.environment.target === 'kubernetes' ? `the namespace ${ic(ctx.model.environment.namespace)} or the cluster` : 'the Docker host'} is lost. What can be lost (RPO) follows from the backups this spec configures:`;
}

/** What bounds the time to recover (RTO): Slipway's own deadlines, plus the data. */
export function startBudget(ctx: EnvContext): string {
  const m = ctx.model;
  const hooks = m.services.filter((s) => s.hook?.phase === 'pre-deploy');
  const hookTime = hooks.reduce((t, s) => t + (s.hook?.deadlineSeconds ?? 0), 0);
  const starts = m.services
    .filter((s) => s.health)
    .map((s) => {
      const p = s.health?.startup;
      return p ? p.initialDelaySeconds + p.failureThreshold * p.periodSeconds : 0;
    });
  const start = Math.max(0, ...starts);
  const data = m.dependencies
    .filter((d) => d.mode === 'self-hosted' || d.mode === 'ha')
    .filter((d) => d.type === 'postgres')
    .map((d) => `${d.name} (${d.storage})`);
  return `Time to recover (RTO): the platform and the data restore${data.length ? ` — which grows with the size of ${data.join(', ')}` : ''} — plus the app, which Slipway bounds: ${hooks.length ? `pre-deploy hooks up to ${duration(hookTime)}, then ` : ''}pods up to ${duration(start)} each to start (startup probe budget) before they must pass readiness. Measure the whole in a restore drill.`;
}

/** The Data step of a recovery, in words. */
export function dataSection(ctx: EnvContext, withVolumes = true): string | undefined {
  const m = ctx.model;
  const f = backupFacts(ctx);
  const parts = m.dependencies.flatMap((d) => {
    if (f.cnpg.includes(d))
      return [`${ic(d.name)}: recreate the CloudNativePG cluster from the object store`];
    if (f.dumps.includes(d))
      return [
        `${ic(d.name)}: restore the latest dump ${m.environment.target === 'kubernetes' ? 'you copied off the cluster' : 'you copied off the server'}`,
      ];
    if (d.mode === 'external') return [`${ic(d.name)}: nothing to do unless the provider lost it too`];
    return [];
  });
  const volumes = withVolumes ? m.services.flatMap((s) => s.volumes.map((v) => `${s.name}/${v.name}`)) : [];
  if (parts.length === 0 && volumes.length === 0) return undefined;
  return `As in [Back up and restore](#back-up-and-restore): ${[...parts, ...(volumes.length ? [`service volumes ${volumes.map(ic).join(', ')} from your copies`] : [])].join('; ')}.`;
}

export function runbookDoc(ctx: EnvContext, parts: RunbookParts): Doc {
  const m = ctx.model;
  return {
    path: `runbooks/${ctx.name}.md`,
    title: `Runbook: ${ctx.name}`,
    body: blocks(
      `${m.app.name} in ${ic(ctx.name)}: ${targetText(m)}, ${m.environment.target === 'kubernetes' ? `namespace ${ic(m.environment.namespace)}${m.environment.context ? `, context ${ic(m.environment.context)}` : ''}` : `project ${ic(ctx.compose?.project ?? '')}`}. Every command below uses this environment's real names. Run them from the directory the spec path ${ic(ctx.specPath)} is relative to, where \`slipway plan\` writes ${ic(ctx.outDir)} by default.`,
      '**Contents:** [Deploy](#deploy) · [Roll back](#roll-back) · [Back up and restore](#back-up-and-restore) · [Disaster recovery](#disaster-recovery) · [Troubleshooting](#troubleshooting)',
      parts.deploy,
      parts.rollback,
      parts.backup,
      parts.dr,
      parts.troubleshooting,
    ),
  };
}

/** The disaster-recovery section: what is backed up and how much can be lost, then the restore steps in order. */
export function disasterRecoverySection(ctx: EnvContext, steps: string[]): string {
  return blocks(
    '## Disaster recovery',
    drHeader(ctx),
    table(['data', 'backup', 'worst-case data loss (RPO)', 'kept in'], rpoRows(ctx)),
    startBudget(ctx),
    'Restore in this order:',
    numbered(steps),
  );
}
