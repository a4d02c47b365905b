/**
 * The communication graph: every edge along which one part of the app talks to another. Network
 * policies, compose networks and topology diagrams are all drawn from this one list.
 */
import type { Edge, Model } from './types.ts';

export function buildGraph(model: Model): Edge[] {
  const edges = new Map<string, Edge>();
  const add = (e: Edge) => {
    const k = `${e.from}|${e.to}|${e.port}`;
    if (!edges.has(k)) edges.set(k, e);
  };
  const services = new Map(model.services.map((s) => [s.name, s]));
  const deps = new Map(model.dependencies.map((d) => [d.name, d]));
  const toTarget = (from: string, to: string, reason: string) => {
    const svc = services.get(to);
    if (svc) for (const p of svc.ports) add({ from, to, toKind: 'service', port: p.port, reason });
    const dep = deps.get(to);
    if (dep && dep.mode !== 'sqlite') add({ from, to, toKind: 'dependency', port: dep.port, reason });
  };
  for (const s of model.services) {
    for (const u of s.uses) toTarget(s.name, u, 'uses');
    for (const env of s.env) {
      if (env.value.kind !== 'template') continue;
      for (const part of env.value.parts) {
        if ('dependency' in part) toTarget(s.name, part.dependency, 'env');
        if ('service' in part) toTarget(s.name, part.service, 'env');
      }
    }
    for (const e of s.egress)
      add({ from: s.name, to: e.host ?? e.cidr ?? '', toKind: 'external', port: e.port, reason: 'egress' });
    if (s.queueScaling) toTarget('keda', s.queueScaling.dependency, 'queue-scaling');
  }
  for (const r of model.ingress?.routes ?? [])
    add({ from: 'ingress', to: r.service, toKind: 'service', port: r.port.port, reason: 'route' });
  return [...edges.values()].sort((a, b) =>
    a.from !== b.from ? (a.from < b.from ? -1 : 1) : a.to !== b.to ? (a.to < b.to ? -1 : 1) : a.port - b.port,
  );
}
