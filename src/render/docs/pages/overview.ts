/** docs/overview.md: what the app is, its parts, their images, dependencies and who talks to whom. */
import type { DependencyModel, Model, ServiceModel } from '../../../model/types.ts';
import type { EnvContext } from '../context.ts';
import { usersOf } from '../context.ts';
import { blocks, ic, plural, table } from '../format.ts';
import { mermaidBlock } from '../mermaid.ts';
import { type Doc, link } from '../page.ts';
import { allEnvironmentsChart } from '../topology.ts';
import { secretUsers } from './setup.ts';

const KIND_TEXT: Record<ServiceModel['kind'], string> = {
  web: 'web service',
  worker: 'worker',
  job: 'job',
  cron: 'cron job',
};

/** Every name once, in first-seen order across environments. */
function union<T extends { name: string }>(lists: T[][]): string[] {
  const out: string[] = [];
  for (const l of lists) for (const x of l) if (!out.includes(x.name)) out.push(x.name);
  return out;
}

/** The first environment's definition of a component, and where it is absent. */
function firstOf<T extends { name: string }>(ctxs: EnvContext[], pick: (m: Model) => T[], name: string) {
  const present = ctxs.filter((c) => pick(c.model).some((x) => x.name === name));
  const first = present[0] ? pick(present[0].model).find((x) => x.name === name) : undefined;
  const absent = ctxs.filter((c) => !present.includes(c)).map((c) => c.name);
  return { first, absent };
}

export function buildText(s: ServiceModel): string {
  if (s.imageFrom) return `the image of ${ic(s.imageFrom)}`;
  const b = s.build;
  if (!b) return `prebuilt ${ic(s.image)}`;
  if (b.preset) {
    const runtime = b.preset === 'python' ? `Python ${b.runtimeVersion}` : `Node ${b.runtimeVersion}`;
    const steps = [b.install, b.buildCommand].filter((x): x is string => !!x).map(ic);
    return `preset ${ic(b.preset)} (${runtime}) from ${ic(b.context)}${steps.length ? `: ${steps.join(', ')}` : ''}`;
  }
  return `own Dockerfile ${ic(b.dockerfile ?? 'Dockerfile')} in ${ic(b.context)}${b.target ? `, stage ${ic(b.target)}` : ''}`;
}

export function healthText(s: ServiceModel): string {
  const h = s.health?.check;
  if (!h) return s.kind === 'job' || s.kind === 'cron' ? 'runs to completion' : 'none';
  if (h.type === 'http') return `HTTP ${ic(h.path)} on ${h.port.port}`;
  if (h.type === 'tcp') return `TCP ${h.port.port}`;
  return `exec ${ic(h.command.join(' '))}`;
}

export function dependencyMode(d: DependencyModel): string {
  switch (d.mode) {
    case 'self-hosted':
      return `self-hosted, ${d.type === 'redis' && !d.persistence ? 'no persistence' : d.storage}`;
    case 'ha':
      return `ha: ${d.instances} instances${d.sentinels ? ` + ${d.sentinels} sentinels` : ''}, ${d.storage} each`;
    case 'external':
      return `external${d.external?.host ? ` at ${ic(`${d.external.host}:${d.port}`)}` : ''} (URL in secret ${ic(d.external?.secret ?? '')})`;
    default:
      return `sqlite file ${ic(d.sqlitePath ?? ':memory:')}`;
  }
}

export function overviewPage(ctxs: EnvContext[]): Doc {
  const path = 'overview.md';
  const app = ctxs[0]?.model.app;
  if (!app) return { path, title: 'Overview', body: '' };
  const facts = [
    app.owner ? `**Owner:** ${app.owner}` : '',
    app.version ? `**Version:** ${app.version}` : '',
    app.repository ? `**Repository:** ${app.repository}` : '',
    app.registry ? `**Image registry:** ${ic(app.registry)}` : '',
  ].filter(Boolean);

  const serviceNames = union(ctxs.map((c) => c.model.services));
  const depNames = union(ctxs.map((c) => c.model.dependencies));
  const components = serviceNames.map((n) => {
    const { first: s, absent } = firstOf(ctxs, (m) => m.services, n);
    if (!s) return [];
    return [
      `**${n}**`,
      `${KIND_TEXT[s.kind]}${s.hook ? ` (${s.hook.phase} hook)` : ''}${s.kind === 'cron' ? ` ${ic(s.schedule ?? '')}` : ''}`,
      `${s.description ?? '—'}${absent.length ? ` (not in ${absent.join(', ')})` : ''}`,
      s.ports.length
        ? s.ports.map((p) => `${p.name} ${p.port}${p.protocol === 'UDP' ? '/udp' : ''}`).join(', ')
        : '—',
      buildText(s),
      healthText(s),
      s.command ? ic([...s.command, ...(s.args ?? [])].join(' ')) : '—',
    ];
  });

  const images = serviceNames.map((n) => [
    `**${n}**`,
    ...ctxs.map((c) => {
      const s = c.model.services.find((x) => x.name === n);
      // Compose runs what its file names (the development profile runs a `-dev` image).
      const image = c.compose?.services[n]?.image ?? s?.image;
      return s && image ? ic(image) : '—';
    }),
  ]);

  const deps = depNames.map((n) => {
    const { first: d } = firstOf(ctxs, (m) => m.dependencies, n);
    const users = [...new Set(ctxs.flatMap((c) => usersOf(c.model, n)))].filter((u) => u !== 'keda').sort();
    return [
      `**${n}**`,
      d ? `${d.type}${d.database ? ` (database ${ic(d.database)}, user ${ic(d.user ?? '')})` : ''}` : '',
      users.length ? users.join(', ') : '—',
      ...ctxs.map((c) => {
        const x = c.model.dependencies.find((y) => y.name === n);
        return x ? `${x.version}, ${dependencyMode(x)}` : '—';
      }),
    ];
  });

  // Who talks to whom, across environments.
  const edges = new Map<string, { from: string; to: string; port: number; reason: string; envs: string[] }>();
  for (const c of ctxs)
    for (const e of c.model.graph.filter((x) => x.from !== 'ingress' || hasEntry(c))) {
      const k = `${e.from}|${e.to}|${e.port}`;
      const prev = edges.get(k);
      if (prev) prev.envs.push(c.name);
      else edges.set(k, { from: e.from, to: e.to, port: e.port, reason: e.reason, envs: [c.name] });
    }
  const comm = [...edges.values()]
    .sort((a, b) =>
      a.from !== b.from
        ? a.from < b.from
          ? -1
          : 1
        : a.to !== b.to
          ? a.to < b.to
            ? -1
            : 1
          : a.port - b.port,
    )
    .map((e) => [
      e.from,
      e.to,
      String(e.port),
      REASONS[e.reason] ?? e.reason,
      e.envs.length === ctxs.length ? 'all' : e.envs.join(', '),
    ]);

  const secretNames = union(ctxs.map((c) => c.model.secrets));
  const secrets = secretNames.map((n) => {
    const { first: s } = firstOf(ctxs, (m) => m.secrets, n);
    // Who reads it, per environment; environments that agree are grouped.
    const byUsers = new Map<string, string[]>();
    for (const c of ctxs) {
      const users = c.model.secrets.some((x) => x.name === n)
        ? secretUsers(c.model, n).join(', ') || 'nobody'
        : 'not declared';
      byUsers.set(users, [...(byUsers.get(users) ?? []), c.name]);
    }
    const usedBy =
      byUsers.size === 1
        ? [...byUsers.keys()].join('')
        : [...byUsers].map(([users, envs]) => `${envs.join(', ')}: ${users}`).join('; ');
    return [ic(n), `${s?.description ?? '—'}${s?.implicit ? ' (added by Slipway)' : ''}`, usedBy];
  });

  const counts = Object.entries(
    ctxs[0]
      ? serviceNames.reduce<Record<string, number>>((acc, n) => {
          const k = firstOf(ctxs, (m) => m.services, n).first?.kind ?? 'web';
          acc[KIND_TEXT[k]] = (acc[KIND_TEXT[k]] ?? 0) + 1;
          return acc;
        }, {})
      : {},
  )
    .sort(([a], [b]) => Object.values(KIND_TEXT).indexOf(a) - Object.values(KIND_TEXT).indexOf(b))
    .map(([k, n]) => plural(n, k));

  const body = blocks(
    app.description ? `**${app.name}** — ${app.description}.` : `**${app.name}**.`,
    facts.length ? facts.join(' · ') : undefined,
    `It is made of ${counts.join(', ')}${depNames.length ? ` and ${plural(depNames.length, 'dependency', 'dependencies')} (${depNames.join(', ')})` : ''}, deployed to ${plural(ctxs.length, 'environment')}: ${ctxs
      .map((c) => `${link(path, `environments.md#${c.name}`, c.name)} (${c.model.environment.target})`)
      .join(', ')}.`,
    '## Topology',
    'Every environment at a glance: clients, the entry point, the services, their dependencies and the outside world they call. Each environment has its own detailed diagram in ' +
      `${link(path, 'networking.md', 'Networking')}.`,
    mermaidBlock(allEnvironmentsChart(ctxs)),
    '## Components',
    table(['component', 'kind', 'purpose', 'ports', 'image', 'health check', 'command'], components),
    '### Images per environment',
    "The exact image each environment runs. Built images are tagged with the environment's tag (or the app version); CI deploys may override the tag.",
    table(['component', ...ctxs.map((c) => c.name)], images),
    depNames.length ? '## Dependencies' : undefined,
    depNames.length
      ? 'How each backing service runs, per environment. `self-hosted`: a single hardened container/StatefulSet run by Slipway; `ha`: an operator-managed cluster (CloudNativePG, Redis failover); `external`: a managed service reached through a secret; `sqlite`: a file.'
      : undefined,
    table(['dependency', 'type', 'used by', ...ctxs.map((c) => c.name)], deps),
    comm.length ? '## Who talks to whom' : undefined,
    comm.length
      ? 'The communication graph Slipway derives from `uses`, `${…}` references, ingress routes and declared egress. It is the single source of the network policies, the compose networks and every diagram here.'
      : undefined,
    table(['from', 'to', 'port', 'why', 'environments'], comm),
    secretNames.length ? '## Secrets' : undefined,
    secretNames.length
      ? `Names only: values never appear in the spec, the rendered files or these documents. How to provide them per environment: ${link(path, 'setup.md', 'Setup')}.`
      : undefined,
    table(['secret', 'description', 'used by'], secrets),
  );
  return { path, title: `${app.name}: architecture overview`, body };
}

/** Whether anything sends the ingress routes' traffic (compose development has no proxy). */
export function hasEntry(c: EnvContext): boolean {
  return c.model.environment.target === 'kubernetes' ? !!c.model.ingress : !!c.compose?.proxy;
}

export const REASONS: Record<string, string> = {
  uses: '`uses`',
  env: 'referenced in env',
  route: 'ingress route',
  egress: 'declared egress',
  'queue-scaling': 'queue-depth autoscaling',
};
