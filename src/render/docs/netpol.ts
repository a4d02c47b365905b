/**
 * The network policy graph: read back from the NetworkPolicy objects the Kubernetes renderer
 * produced (patches included), so the diagram shows exactly what the cluster will enforce. Traffic
 * between two pods of the namespace needs both the sender's egress and the receiver's ingress rule;
 * traffic from another namespace needs only the receiver's ingress rule, and traffic to an address
 * outside only the sender's egress rule.
 */
import type { EnvContext } from './context.ts';
import { kubeName, objectsOfKind } from './context.ts';
import { Flowchart } from './mermaid.ts';

/** A peer of a rule: a component of the app, every pod of the namespace, another namespace, or addresses. */
export type Peer =
  | { kind: 'component'; name: string }
  | { kind: 'all' }
  | { kind: 'namespace'; namespace: string; pods?: string }
  | { kind: 'cidr'; cidr: string; except: string[] }
  | { kind: 'unknown'; text: string };

/** `undefined` ports: every port. */
type Ports = string[] | undefined;

export interface AllowedEdge {
  from: Peer;
  to: Peer;
  ports: Ports;
}

interface Rule {
  peers: Peer[];
  ports: Ports;
}
interface Policy {
  name: string;
  subject: Peer;
  ingress: Rule[];
  egress: Rule[];
  types: string[];
}

type Labels = Record<string, string> | undefined;
interface RawPeer {
  podSelector?: { matchLabels?: Labels };
  namespaceSelector?: { matchLabels?: Labels };
  ipBlock?: { cidr: string; except?: string[] };
}
interface RawRule {
  from?: RawPeer[];
  to?: RawPeer[];
  ports?: { protocol?: string; port?: number | string }[];
}

export function peerKey(p: Peer): string {
  switch (p.kind) {
    case 'component':
      return `c:${p.name}`;
    case 'all':
      return 'all';
    case 'namespace':
      return `ns:${p.namespace}${p.pods ? `/${p.pods}` : ''}`;
    case 'cidr':
      return `cidr:${p.cidr}${p.except.length ? `-${p.except.join(',')}` : ''}`;
    default:
      return `?:${p.text}`;
  }
}

export function peerText(p: Peer): string {
  switch (p.kind) {
    case 'component':
      return p.name;
    case 'all':
      return 'every pod of the namespace';
    case 'namespace':
      return `namespace ${p.namespace}${p.pods ? ` (pods ${p.pods})` : ''}`;
    case 'cidr': {
      const range = p.except.length ? `${p.cidr} except ${p.except.join(', ')}` : p.cidr;
      return p.cidr === '0.0.0.0/0'
        ? `${p.except.length ? 'public internet' : 'any address'}: ${range}`
        : range;
    }
    default:
      return p.text;
  }
}

export function portsText(ports: Ports): string {
  return ports === undefined ? 'all ports' : ports.join(', ');
}

function podPeer(ctx: EnvContext, labels: Labels): Peer {
  if (!labels || Object.keys(labels).length === 0) return { kind: 'all' };
  const components = [...ctx.model.services.map((s) => s.name), ...ctx.model.dependencies.map((d) => d.name)];
  const byName = labels['app.kubernetes.io/name'] ?? labels['cnpg.io/cluster'];
  const found = components.find((c) => kubeName(ctx, c) === byName);
  if (found) return { kind: 'component', name: found };
  return {
    kind: 'unknown',
    text: Object.entries(labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
  };
}

function toPeer(ctx: EnvContext, raw: RawPeer): Peer {
  if (raw.ipBlock) return { kind: 'cidr', cidr: raw.ipBlock.cidr, except: [...(raw.ipBlock.except ?? [])] };
  if (raw.namespaceSelector) {
    const ns = raw.namespaceSelector.matchLabels?.['kubernetes.io/metadata.name'] ?? 'any';
    const pods = raw.podSelector?.matchLabels
      ? Object.entries(raw.podSelector.matchLabels)
          .map(([k, v]) => `${k}=${v}`)
          .join(',')
      : undefined;
    return { kind: 'namespace', namespace: ns, ...(pods ? { pods } : {}) };
  }
  return podPeer(ctx, raw.podSelector?.matchLabels);
}

function toPorts(raw: RawRule['ports']): Ports {
  if (!raw || raw.length === 0) return undefined;
  return [...new Set(raw.map((p) => `${p.protocol ?? 'TCP'} ${p.port ?? 'any'}`))].sort(portOrder);
}

function portOrder(a: string, b: string): number {
  const [pa = '', na = ''] = a.split(' ');
  const [pb = '', nb = ''] = b.split(' ');
  return Number(na) - Number(nb) || (pa < pb ? -1 : pa > pb ? 1 : 0);
}

export function readPolicies(ctx: EnvContext): Policy[] {
  return objectsOfKind(ctx, 'NetworkPolicy').map((o) => {
    const spec = o.spec as {
      podSelector?: { matchLabels?: Labels };
      policyTypes?: string[];
      ingress?: RawRule[];
      egress?: RawRule[];
    };
    const rules = (rs: RawRule[] | undefined, side: 'from' | 'to'): Rule[] =>
      (rs ?? []).map((r) => ({
        // A rule without peers allows every source (or destination).
        peers:
          (r[side] ?? []).length === 0
            ? [{ kind: 'cidr', cidr: '0.0.0.0/0', except: [] }]
            : (r[side] ?? []).map((p) => toPeer(ctx, p)),
        ports: toPorts(r.ports),
      }));
    return {
      name: o.metadata.name,
      subject: podPeer(ctx, spec.podSelector?.matchLabels),
      ingress: rules(spec.ingress, 'from'),
      egress: rules(spec.egress, 'to'),
      types: spec.policyTypes ?? [],
    };
  });
}

/** Ports allowed by both sides; `undefined` is "every port". */
function intersect(a: Ports, b: Ports): Ports | null {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const both = a.filter((p) => b.includes(p));
  return both.length > 0 ? both : null;
}

function union(a: Ports, b: Ports): Ports {
  if (a === undefined || b === undefined) return undefined;
  return [...new Set([...a, ...b])].sort(portOrder);
}

const matches = (subject: Peer, pod: Peer) =>
  subject.kind === 'all' ||
  (subject.kind === 'component' && pod.kind === 'component' && subject.name === pod.name);

/** Every allowed edge, merged per (from, to). */
export function allowedEdges(ctx: EnvContext): AllowedEdge[] {
  const policies = readPolicies(ctx);
  const edges = new Map<string, AllowedEdge>();
  const add = (from: Peer, to: Peer, ports: Ports) => {
    const k = `${peerKey(from)}>${peerKey(to)}`;
    const prev = edges.get(k);
    edges.set(k, { from, to, ports: prev ? union(prev.ports, ports) : ports });
  };
  const ingressTo = (pod: Peer) => policies.filter((p) => matches(p.subject, pod)).flatMap((p) => p.ingress);

  for (const pol of policies) {
    // Ingress from other namespaces and from addresses: the receiver's rule alone decides.
    for (const r of pol.ingress)
      for (const peer of r.peers)
        if (peer.kind === 'namespace' || peer.kind === 'cidr') add(peer, pol.subject, r.ports);
    for (const r of pol.egress)
      for (const peer of r.peers) {
        if (peer.kind === 'namespace' || peer.kind === 'cidr' || peer.kind === 'unknown') {
          add(pol.subject, peer, r.ports);
          continue;
        }
        // Pod to pod inside the namespace: the receiver must admit it too.
        for (const inRule of ingressTo(peer)) {
          if (
            !inRule.peers.some(
              (src) => matches(src, pol.subject) || (src.kind === 'cidr' && src.cidr === '0.0.0.0/0'),
            )
          )
            continue;
          const ports = intersect(r.ports, inRule.ports);
          if (ports !== null) add(pol.subject, peer, ports);
        }
      }
  }
  // A pod-to-pod ingress rule whose sender has no matching egress rule allows nothing: left out.
  return [...edges.values()].sort((a, b) => {
    const ka = `${peerKey(a.from)}>${peerKey(a.to)}`;
    const kb = `${peerKey(b.from)}>${peerKey(b.to)}`;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}

export function defaultDeny(ctx: EnvContext): boolean {
  return readPolicies(ctx).some(
    (p) =>
      p.subject.kind === 'all' && p.ingress.length === 0 && p.egress.length === 0 && p.types.length === 2,
  );
}

/** The allowed edges as a flowchart: the namespace's pods in a subgraph, everything else outside. */
export function networkPolicyChart(ctx: EnvContext, edges: AllowedEdge[]): Flowchart {
  const chart = new Flowchart('LR');
  const env = ctx.model.environment.name;
  const key = (p: Peer) => `np/${env}/${peerKey(p)}`;
  const inside = (p: Peer) => p.kind === 'component' || p.kind === 'all';
  const peers = new Map<string, Peer>();
  for (const e of edges) for (const p of [e.from, e.to]) peers.set(peerKey(p), p);
  const sorted = [...peers.values()].sort((a, b) => (peerKey(a) < peerKey(b) ? -1 : 1));
  chart.subgraph(
    `np/${env}/ns`,
    `namespace ${ctx.model.environment.namespace}${defaultDeny(ctx) ? ' · default deny' : ''}`,
    () => {
      for (const c of [
        ...ctx.model.services.map((s) => s.name),
        ...ctx.model.dependencies
          .filter((d) => d.mode === 'self-hosted' || d.mode === 'ha')
          .map((d) => d.name),
      ]) {
        const p: Peer = { kind: 'component', name: c };
        chart.node(key(p), c, ctx.model.dependencies.some((d) => d.name === c) ? 'database' : 'rect');
      }
      for (const p of sorted.filter((x) => inside(x) && x.kind !== 'component'))
        chart.node(key(p), peerText(p), 'stadium');
    },
  );
  for (const p of sorted.filter((x) => !inside(x)))
    chart.node(key(p), peerText(p), p.kind === 'cidr' ? 'hexagon' : 'stadium');
  for (const e of edges) chart.edge(key(e.from), key(e.to), portsText(e.ports));
  return chart;
}
