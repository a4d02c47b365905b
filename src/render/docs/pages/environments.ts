/**
 * docs/environments.md: the environment configuration matrix (seed 002's table, for every
 * setting that differs between environments), resource sizing with totals at minimum and maximum
 * scale, and per environment its scaling, monitoring, rollout and delivery settings.
 */
import type { ScalingRulesModel } from '../../../model/types.ts';
import { monitoringEnabled } from '../../kubernetes/monitoring.ts';
import type { EnvContext } from '../context.ts';
import { blocks, bullets, duration, formatCpu, formatMemory, formatStorage, ic, table } from '../format.ts';
import { type Doc, link } from '../page.ts';
import { replicaRange, type Sizing, sizing } from '../sizing.ts';
import {
  backupText,
  hostsText,
  monitoringText,
  replicasCell,
  secretSourceText,
  targetText,
  tlsText,
} from '../summary.ts';

/** `a` or `a → b` when they differ. */
const span = (a: string, b: string) => (a === b ? a : `${a} → ${b}`);

export function matrixRows(ctxs: EnvContext[]): string[][] {
  const row = (label: string, cell: (c: EnvContext) => string) => [label, ...ctxs.map(cell)];
  const serviceNames: string[] = [];
  for (const c of ctxs)
    for (const s of c.model.services) if (!serviceNames.includes(s.name)) serviceNames.push(s.name);
  const depNames: string[] = [];
  for (const c of ctxs)
    for (const d of c.model.dependencies) if (!depNames.includes(d.name)) depNames.push(d.name);
  const sizes = new Map(ctxs.map((c) => [c.name, sizing(c)]));

  const rows: string[][] = [
    row('target', (c) => targetText(c.model)),
    row('namespace / project', (c) => ic(c.model.environment.namespace)),
    row('cluster', (c) =>
      c.model.environment.target === 'kubernetes'
        ? `Kubernetes ${c.model.environment.kubernetesVersion}${c.model.environment.context ? `, context ${ic(c.model.environment.context)}` : ''}`
        : 'one Docker host',
    ),
  ];
  for (const n of serviceNames) {
    rows.push(
      row(`${n}: replicas`, (c) => {
        const s = c.model.services.find((x) => x.name === n);
        return s ? replicasCell(c.model, s, replicaRange(c.model, s)) : '—';
      }),
      row(`${n}: CPU request / limit`, (c) => {
        const s = c.model.services.find((x) => x.name === n);
        return s ? `${s.resources.requests.cpu} / ${s.resources.limits.cpu}` : '—';
      }),
      row(`${n}: memory request / limit`, (c) => {
        const s = c.model.services.find((x) => x.name === n);
        return s ? `${s.resources.requests.memory} / ${s.resources.limits.memory}` : '—';
      }),
    );
  }
  for (const n of depNames) {
    rows.push(
      row(`${n}: mode`, (c) => {
        const d = c.model.dependencies.find((x) => x.name === n);
        if (!d) return '—';
        return `${d.type} ${d.version}, ${d.mode}${d.mode === 'ha' ? ` × ${d.instances}` : ''}`;
      }),
      row(`${n}: CPU / memory request`, (c) => {
        const d = c.model.dependencies.find((x) => x.name === n);
        if (!d || d.mode === 'external' || d.mode === 'sqlite') return '—';
        return `${d.resources.requests.cpu} / ${d.resources.requests.memory}`;
      }),
    );
  }
  rows.push(
    row('pods at min → max scale', (c) => {
      const t = sizes.get(c.name)?.totals.pods;
      return t ? span(String(t.min), String(t.max)) : '';
    }),
    row('CPU requested', (c) => {
      const t = sizes.get(c.name)?.totals.requests;
      return t ? span(formatCpu(t.min.cpu), formatCpu(t.max.cpu)) : '';
    }),
    row('memory requested', (c) => {
      const t = sizes.get(c.name)?.totals.requests;
      return t ? span(formatMemory(t.min.memory), formatMemory(t.max.memory)) : '';
    }),
    row('storage', (c) => {
      const s = sizes.get(c.name);
      if (!s || s.storage.length === 0) return 'none';
      return `${formatStorage(s.storageTotal)} (${s.storage.map((x) => `${x.name} ${formatStorage(x.size)}`).join(', ')})`;
    }),
    row('monitoring', monitoringText),
    row('backup', backupText),
    row('TLS', tlsText),
    row('hosts', (c) => hostsText(c.model)),
    row('secrets from', (c) => secretSourceText(c.model)),
    row('network policy', (c) =>
      c.model.environment.target === 'kubernetes'
        ? `${c.model.security.networkPolicy}, pod security ${c.model.security.podSecurity}`
        : c.model.security.networkPolicy === 'open'
          ? 'open (one shared network)'
          : 'zero-trust (internal network per component)',
    ),
    row('rollout', (c) => {
      const bg = c.model.services.filter((s) => s.rollout.strategy === 'blue-green');
      if (c.model.environment.target === 'compose') return 'recreate changed containers';
      if (bg.length === 0) return 'rolling (maxUnavailable 0)';
      return `${bg.map((s) => `${s.name}: blue-green${s.rollout.autoPromote ? '' : ' (manual promotion)'}`).join(', ')}; others rolling`;
    }),
    row('deploys', (c) => {
      const on = c.model.environment.deployOn;
      const when = on?.branch ? `on push to ${ic(on.branch)}` : on?.tag ? `on tags ${ic(on.tag)}` : 'by hand';
      return `${when}${c.model.environment.approval ? ', after approval' : ''}`;
    }),
    row(
      'image tag / pull',
      (c) =>
        `${ic(c.model.environment.images.tag ?? c.model.app.version ?? '0.0.0-dev')} / ${c.model.environment.images.pullPolicy}`,
    ),
  );
  return rows;
}

function rulesText(r: ScalingRulesModel | undefined): string {
  if (!r) return 'Kubernetes default';
  const p = r.policies.map(
    (x) => `${x.value}${x.type === 'percent' ? '%' : ' pods'} per ${duration(x.periodSeconds)}`,
  );
  return [
    r.stabilizationSeconds !== undefined ? `stabilisation ${duration(r.stabilizationSeconds)}` : '',
    p.length ? `${p.join(' or ')}${r.select ? ` (select ${r.select})` : ''}` : '',
  ]
    .filter(Boolean)
    .join(', ');
}

function sizingSection(ctx: EnvContext, s: Sizing): string {
  const rows = s.components.map((c) => [
    c.name,
    c.role,
    span(String(c.min), String(c.max)) + (c.scaling ? ` (${c.scaling})` : ''),
    `${formatCpu(c.requests.cpu)} / ${formatCpu(c.limits.cpu)}`,
    `${formatMemory(c.requests.memory)} / ${formatMemory(c.limits.memory)}`,
    span(formatCpu(c.min * c.requests.cpu), formatCpu(c.max * c.requests.cpu)),
    span(formatMemory(c.min * c.requests.memory), formatMemory(c.max * c.requests.memory)),
  ]);
  const t = s.totals;
  rows.push([
    '**total**',
    '',
    span(String(t.pods.min), String(t.pods.max)),
    `limits: ${span(formatCpu(t.limits.min.cpu), formatCpu(t.limits.max.cpu))}`,
    `limits: ${span(formatMemory(t.limits.min.memory), formatMemory(t.limits.max.memory))}`,
    `**${span(formatCpu(t.requests.min.cpu), formatCpu(t.requests.max.cpu))}**`,
    `**${span(formatMemory(t.requests.min.memory), formatMemory(t.requests.max.memory))}**`,
  ]);
  const transient = s.transient.map((c) => [
    c.name,
    c.role,
    `${formatCpu(c.requests.cpu)} / ${formatCpu(c.limits.cpu)}`,
    `${formatMemory(c.requests.memory)} / ${formatMemory(c.limits.memory)}`,
  ]);
  return blocks(
    table(
      [
        'component',
        'what',
        'replicas',
        'CPU request / limit',
        'memory request / limit',
        'CPU requested',
        'memory requested',
      ],
      rows,
    ),
    ctx.model.environment.target === 'compose'
      ? 'On compose, requests are reservations and limits are enforced by the engine; the host must have at least the requested total free.'
      : 'The cluster must schedule the requested total at maximum scale; limits bound what pods may burst to.',
    s.blueGreenPeak > 0
      ? `During a blue-green deploy the new colour runs beside the old one: up to ${s.blueGreenPeak} more pods until the switch (and the scale-down delay) completes.`
      : undefined,
    transient.length ? 'Run to completion, so they add to the totals only while they run:' : undefined,
    table(['job', 'when', 'CPU request / limit', 'memory request / limit'], transient),
    s.storage.length ? 'Persistent storage:' : undefined,
    table(
      ['claim', 'size', 'holds'],
      [
        ...s.storage.map((x) => [x.name, formatStorage(x.size), x.what]),
        ['**total**', `**${formatStorage(s.storageTotal)}**`, ''],
      ],
    ),
  );
}

function scalingSection(ctx: EnvContext): string | undefined {
  if (ctx.model.environment.target === 'compose') {
    const auto = ctx.model.services.filter((s) => s.autoscaling || s.queueScaling);
    return auto.length
      ? `Compose runs a fixed number of replicas; the autoscaling of ${auto.map((s) => s.name).join(', ')} applies on Kubernetes only.`
      : 'Fixed replica counts: compose does not autoscale.';
  }
  const items: string[] = [];
  for (const s of ctx.model.services) {
    const a = s.autoscaling;
    if (a)
      items.push(
        `**${s.name}**: HorizontalPodAutoscaler ${a.min}–${a.max} replicas on ${[a.cpu ? `CPU ${a.cpu}%` : '', a.memory ? `memory ${a.memory}%` : ''].filter(Boolean).join(' and ')} of requests; scale up: ${rulesText(a.behavior.scaleUp)}; scale down: ${rulesText(a.behavior.scaleDown)}.`,
      );
    const q = s.queueScaling;
    if (q)
      items.push(
        `**${s.name}**: KEDA ${q.min}–${q.max} replicas, one per ${q.targetDepth} jobs waiting in Redis list ${ic(q.list)} of ${ic(q.dependency)}, polled every ${duration(q.pollIntervalSeconds)}, cooldown ${duration(q.cooldownSeconds)}.`,
      );
    if (s.vpa.mode !== 'off' && (s.kind === 'web' || s.kind === 'worker'))
      items.push(
        `**${s.name}**: VerticalPodAutoscaler in ${s.vpa.mode === 'auto' ? '**auto** mode (requests change: the numbers above are the starting point)' : 'recommend mode (reports only)'}${s.vpa.min ? `, min ${[s.vpa.min.cpu, s.vpa.min.memory].filter(Boolean).join(' / ')}` : ''}${s.vpa.max ? `, max ${[s.vpa.max.cpu, s.vpa.max.memory].filter(Boolean).join(' / ')}` : ''}.`,
      );
  }
  return items.length ? bullets(items) : 'Fixed replica counts: no autoscaler.';
}

function monitoringSection(ctx: EnvContext): string {
  const mon = ctx.model.monitoring;
  if (!mon.enabled) return 'Monitoring is off in this environment.';
  const a = mon.alerts;
  const metrics = ctx.model.services.filter((s) => s.metrics);
  return blocks(
    monitoringText(ctx),
    table(
      ['service', 'metrics endpoint'],
      metrics.map((s) => [s.name, `${ic(s.metrics?.path ?? '')} on port ${s.metrics?.port.port}`]),
    ),
    ctx.model.environment.target === 'kubernetes' && monitoringEnabled(ctx.model)
      ? table(
          ['alert', 'fires when'],
          [
            ['error rate', `5xx responses above ${Number((a.errorRate * 100).toFixed(4))}% of requests`],
            ['latency', `p95 above ${duration(a.latencyP95Seconds)}`],
            ['restarts', `more than ${a.restarts} container restarts`],
            ['autoscaler at max', `an autoscaler stays at its maximum for ${duration(a.hpaAtMaxSeconds)}`],
            ['queue backlog', `a scaled queue holds more than ${a.queueDepth} jobs`],
          ],
        )
      : undefined,
  );
}

export function environmentsPage(ctxs: EnvContext[]): Doc {
  const path = 'environments.md';
  const sizes = ctxs.map((c) => ({ c, s: sizing(c) }));
  const totals = sizes.map(({ c, s }) => [
    link(path, `environments.md#${c.name}`, c.name),
    targetText(c.model),
    span(String(s.totals.pods.min), String(s.totals.pods.max)),
    span(formatCpu(s.totals.requests.min.cpu), formatCpu(s.totals.requests.max.cpu)),
    span(formatMemory(s.totals.requests.min.memory), formatMemory(s.totals.requests.max.memory)),
    span(formatCpu(s.totals.limits.min.cpu), formatCpu(s.totals.limits.max.cpu)),
    span(formatMemory(s.totals.limits.min.memory), formatMemory(s.totals.limits.max.memory)),
    formatStorage(s.storageTotal),
  ]);
  const perEnv = sizes.map(({ c, s }) =>
    blocks(
      `## ${c.name}`,
      `${targetText(c.model)}, ${c.model.environment.target === 'kubernetes' ? `namespace ${ic(c.model.environment.namespace)}` : `project ${ic(c.compose?.project ?? c.model.environment.namespace)}`}, profile ${c.model.environment.profile}. Runbook: ${link(path, `runbooks/${c.name}.md`, `runbooks/${c.name}.md`)}.`,
      '### Sizing',
      sizingSection(c, s),
      '### Scaling',
      scalingSection(c),
      '### Monitoring',
      monitoringSection(c),
    ),
  );
  const body = blocks(
    '## Configuration matrix',
    'Every setting that can differ between environments, resolved: defaults decided and overlays merged. A dash means the component is not part of that environment.',
    table(['', ...ctxs.map((c) => c.name)], matrixRows(ctxs)),
    '## Resource sizing',
    'Requested resources summed over every long-running pod, at the minimum and maximum replica counts the autoscalers allow. Jobs and cron jobs are listed per environment below.',
    table(
      [
        'environment',
        'target',
        'pods',
        'CPU requested',
        'memory requested',
        'CPU limits',
        'memory limits',
        'storage',
      ],
      totals,
    ),
    ...perEnv,
  );
  return { path, title: 'Environments', body };
}
