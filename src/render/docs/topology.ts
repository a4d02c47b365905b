/**
 * Topology diagrams: clients → the entry point (Ingress or the compose proxy) → services →
 * dependencies, and the declared external egress, with who talks to whom taken from the model's
 * communication graph. One subgraph per environment (its namespace or compose project).
 */
import type { DependencyModel, Model, ServiceModel } from '../../model/types.ts';
import { type EnvContext, runsInside, usersOf } from './context.ts';
import { Flowchart, type Shape } from './mermaid.ts';
import { rangeText, replicaRange } from './sizing.ts';

/** Diagram keys, shared with the tests that read the diagrams back. */
export const keys = {
  env: (env: string) => `${env}/env`,
  service: (env: string, name: string) => `${env}/svc/${name}`,
  dependency: (env: string, name: string) => `${env}/dep/${name}`,
  external: (env: string, host: string) => `${env}/ext/${host}`,
  internet: (env: string) => `${env}/internet`,
  entry: (env: string) => `${env}/entry`,
  clients: (env: string) => `${env}/clients`,
  keda: (env: string) => `${env}/keda`,
};

export function serviceShape(s: ServiceModel): Shape {
  if (s.kind === 'worker') return 'subroutine';
  if (s.kind === 'job' || s.kind === 'cron') return 'job';
  return 'rect';
}

/** `web · 3–10 replicas`, `job · pre-deploy hook`, `cron · 0 3 * * *`. */
export function serviceRole(model: Model, s: ServiceModel): string {
  if (s.kind === 'job') return s.hook ? `job · ${s.hook.phase} hook` : 'job';
  if (s.kind === 'cron') return `cron · ${s.schedule ?? ''}`;
  const r = replicaRange(model, s);
  return `${s.kind} · ${rangeText(r)} ${r.max === 1 ? 'replica' : 'replicas'}`;
}

export function dependencyLines(d: DependencyModel, compact: boolean): string[] {
  if (d.mode === 'sqlite') return [d.name, `sqlite · ${d.sqlitePath ?? ':memory:'}`];
  const head = [d.name, `${d.type} ${d.version} · ${d.mode}`];
  if (compact) return head;
  if (d.mode === 'external')
    return [...head, ...(d.external?.host ? [`${d.external.host}:${d.port}`] : [`:${d.port}`])];
  const size = d.type === 'redis' && !d.persistence ? 'no persistence' : d.storage;
  return [...head, d.mode === 'ha' ? `${d.instances} instances · ${size}` : size];
}

function entryLines(ctx: EnvContext): string[] | undefined {
  const m = ctx.model;
  const ing = m.ingress;
  if (m.environment.target === 'kubernetes') {
    if (!ing) return undefined;
    const tls = ing.tls
      ? ing.tls.issuer
        ? `TLS: ${ing.tls.issuer}`
        : `TLS: secret ${ing.tls.secret}`
      : 'no TLS';
    return [`Ingress (class ${ing.className})`, ...hostsOf(m), tls];
  }
  if (!ctx.compose?.proxy || !ing) return undefined;
  return [`${ctx.compose.proxy} (Caddy)`, ...hostsOf(m), ing.tls ? ':80 → :443' : ':80'];
}

export function hostsOf(m: Model): string[] {
  const ing = m.ingress;
  if (!ing) return [];
  return [...new Set([...ing.hosts, ...ing.routes.flatMap((r) => (r.host ? [r.host] : []))])];
}

/** Host ports a compose service publishes (development), as `127.0.0.1:3000`. */
export function publishedPorts(ctx: EnvContext, service: string): string[] {
  const svc = ctx.compose?.services[service];
  return (svc?.ports ?? []).map((p) => {
    if (typeof p !== 'object') {
      const parts = String(p).split(':');
      return parts.length >= 3 ? `${parts[0]}:${parts[1]}` : `0.0.0.0:${parts[0]}`;
    }
    return `${p.host_ip ?? '0.0.0.0'}:${String(p.published ?? p.target ?? '')}`;
  });
}

/** Add one environment to a chart: its subgraph, entry, services, dependencies and edges. */
export function addEnvironment(chart: Flowchart, ctx: EnvContext, compact: boolean): void {
  const m = ctx.model;
  const env = m.environment.name;
  const k8s = m.environment.target === 'kubernetes';
  const entry = entryLines(ctx);
  const title = k8s
    ? `${env} · kubernetes · namespace ${m.environment.namespace}`
    : `${env} · compose (${m.environment.profile}) · project ${ctx.compose?.project ?? m.environment.namespace}`;

  chart.node(keys.clients(env), compact ? 'clients' : ['clients'], 'circle');
  chart.subgraph(keys.env(env), title, () => {
    if (entry) chart.node(keys.entry(env), compact ? (entry[0] ?? '') : entry, 'stadium');
    for (const s of m.services) {
      const lines = [s.name, serviceRole(m, s)];
      if (!compact && s.ports.length > 0) lines.push(s.ports.map((p) => `:${p.port}`).join(' '));
      chart.node(keys.service(env, s.name), lines, serviceShape(s));
    }
    for (const d of m.dependencies.filter((x) => runsInside(ctx, x) || x.mode === 'sqlite'))
      chart.node(keys.dependency(env, d.name), dependencyLines(d, compact), 'database');
  });
  for (const d of m.dependencies.filter((x) => x.mode === 'external'))
    chart.node(keys.dependency(env, d.name), dependencyLines(d, compact), 'database');

  // How clients come in.
  if (entry) {
    chart.edge(keys.clients(env), keys.entry(env), m.ingress?.tls ? 'HTTPS' : 'HTTP');
    const routes = new Map<string, string[]>();
    for (const r of m.ingress?.routes ?? [])
      routes.set(r.service, [
        ...(routes.get(r.service) ?? []),
        `${r.host ?? ''}${r.path}${r.pathType === 'Exact' ? ' (exact)' : ''}`,
      ]);
    for (const [svc, paths] of routes) chart.edge(keys.entry(env), keys.service(env, svc), paths);
  } else if (!k8s) {
    for (const s of m.services) {
      const ports = publishedPorts(ctx, s.name);
      if (ports.length > 0) chart.edge(keys.clients(env), keys.service(env, s.name), ports);
    }
  } else {
    for (const s of m.services.filter((x) => x.kind === 'web' && x.ports.length > 0))
      chart.edge(keys.clients(env), keys.service(env, s.name), 'kubectl port-forward', 'dotted');
  }

  // Who talks to whom.
  const grouped = new Map<string, { from: string; to: string; kind: string; ports: number[] }>();
  for (const e of m.graph) {
    if (e.from === 'ingress') continue;
    const k = `${e.from}|${e.to}|${e.toKind}`;
    const g = grouped.get(k) ?? { from: e.from, to: e.to, kind: e.toKind, ports: [] };
    if (!g.ports.includes(e.port)) g.ports.push(e.port);
    grouped.set(k, g);
  }
  const externals = m.graph.filter((e) => e.toKind === 'external');
  const hosts = [...new Set(externals.map((e) => e.to))];
  for (const g of grouped.values()) {
    const label = g.ports.map((p) => `:${p}`).join(', ');
    const from = g.from === 'keda' ? keys.keda(env) : keys.service(env, g.from);
    if (g.from === 'keda') chart.node(keys.keda(env), 'KEDA', 'stadium');
    if (g.kind === 'external') {
      if (compact) {
        chart.node(
          keys.internet(env),
          `internet · ${hosts.length} ${hosts.length === 1 ? 'host' : 'hosts'}`,
          'hexagon',
        );
        chart.edge(from, keys.internet(env), undefined, 'dotted');
      } else {
        chart.node(keys.external(env, g.to), g.to, 'hexagon');
        chart.edge(from, keys.external(env, g.to), label, 'dotted');
      }
      continue;
    }
    const to = g.kind === 'dependency' ? keys.dependency(env, g.to) : keys.service(env, g.to);
    chart.edge(from, to, g.from === 'keda' ? 'queue length' : label, g.from === 'keda' ? 'dotted' : 'solid');
  }
  // sqlite is a file, not a peer on the network: the graph has no edge to it, the diagram does.
  for (const d of m.dependencies.filter((x) => x.mode === 'sqlite'))
    for (const u of usersOf(m, d.name))
      chart.edge(keys.service(env, u), keys.dependency(env, d.name), 'file');
}

export function topologyChart(ctx: EnvContext): Flowchart {
  const chart = new Flowchart('LR');
  addEnvironment(chart, ctx, false);
  return chart;
}

export function allEnvironmentsChart(ctxs: EnvContext[]): Flowchart {
  const chart = new Flowchart('TB');
  for (const c of ctxs) addEnvironment(chart, c, true);
  return chart;
}
