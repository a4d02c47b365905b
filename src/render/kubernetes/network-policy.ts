/**
 * Zero-trust networking, derived from the communication graph: deny everything in the
 * namespace, then allow exactly the edges the spec implies — DNS, service to service (`uses`
 * and references), ingress controller to routed services, the autoscaler to the queue,
 * Prometheus to metrics ports, operators to their databases, and declared external egress.
 * Nobody writes these by hand; the graph already knows who talks to whom.
 */
import type { V1NetworkPolicyPeer, V1NetworkPolicyPort } from '@kubernetes/client-node';
import type { Model } from '../../model/types.ts';
import { childName, labels, objectName, selectorLabels } from './_names.ts';
import type { KubeObject } from './_object.ts';

/** Namespaces of cluster add-ons, by the label Kubernetes sets on every namespace (1.21+). */
export const ADDON_NAMESPACES = {
  ingress: 'ingress-nginx',
  monitoring: 'monitoring',
  keda: 'keda',
  cnpg: 'cnpg-system',
  redisOperator: 'redis-operator',
} as const;

// The client's model names the `from` field `_from` (mapped when it serialises), so plain
// manifests are typed here.
interface PolicySpec {
  podSelector: { matchLabels?: Record<string, string> };
  policyTypes: ('Ingress' | 'Egress')[];
  ingress?: { from: V1NetworkPolicyPeer[]; ports?: V1NetworkPolicyPort[] }[];
  egress?: { to: V1NetworkPolicyPeer[]; ports?: V1NetworkPolicyPort[] }[];
}

const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];

const namespacePeer = (ns: string): V1NetworkPolicyPeer => ({
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } },
});
const tcp = (port: number): V1NetworkPolicyPort => ({ protocol: 'TCP', port });

export function renderNetworkPolicies(model: Model): KubeObject[] {
  if (model.security.networkPolicy !== 'zero-trust') return [];
  const ns = model.environment.namespace;
  const policy = (name: string, component: string, spec: PolicySpec): KubeObject => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace: ns, labels: labels(model, component) },
    spec,
  });
  const out: KubeObject[] = [
    policy(objectName(model, 'default-deny'), 'network', {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
    }),
    policy(objectName(model, 'allow-dns'), 'network', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [{ ...namespacePeer('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
      ],
    }),
  ];

  // Pods of a component: Slipway's own selector, or the operator's labels for ha dependencies.
  const podsOf = (component: string): Record<string, string> => {
    const dep = model.dependencies.find((d) => d.name === component);
    if (dep?.mode === 'ha') {
      return dep.type === 'postgres'
        ? { 'cnpg.io/cluster': objectName(model, dep.name) }
        : { 'app.kubernetes.io/name': objectName(model, dep.name) };
    }
    return selectorLabels(model, component);
  };
  const components = [
    ...model.services.map((s) => s.name),
    ...model.dependencies.filter((d) => d.mode === 'self-hosted' || d.mode === 'ha').map((d) => d.name),
  ];
  const internal = new Set(components);

  for (const c of components) {
    const ingress: NonNullable<PolicySpec['ingress']> = [];
    const egress: NonNullable<PolicySpec['egress']> = [];
    // Who may reach c.
    const bySource = new Map<string, number[]>();
    for (const e of model.graph.filter((x) => x.to === c && x.toKind !== 'external')) {
      bySource.set(e.from, [...(bySource.get(e.from) ?? []), e.port]);
    }
    for (const [from, ports] of [...bySource].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const peer =
        from === 'ingress'
          ? namespacePeer(ADDON_NAMESPACES.ingress)
          : from === 'keda'
            ? namespacePeer(ADDON_NAMESPACES.keda)
            : { podSelector: { matchLabels: podsOf(from) } };
      ingress.push({ from: [peer], ports: [...new Set(ports)].sort((a, b) => a - b).map(tcp) });
    }
    const svc = model.services.find((s) => s.name === c);
    if (svc?.metrics && model.monitoring.enabled)
      ingress.push({
        from: [namespacePeer(ADDON_NAMESPACES.monitoring)],
        ports: [tcp(svc.metrics.port.port)],
      });
    const dep = model.dependencies.find((d) => d.name === c);
    if (dep?.mode === 'ha') {
      // Replication between instances, sentinels, and the operator's own checks.
      ingress.push({ from: [{ podSelector: { matchLabels: podsOf(c) } }] });
      ingress.push({
        from: [
          namespacePeer(dep.type === 'postgres' ? ADDON_NAMESPACES.cnpg : ADDON_NAMESPACES.redisOperator),
        ],
      });
      egress.push({ to: [{ podSelector: { matchLabels: podsOf(c) } }] });
      if (dep.type === 'postgres') {
        // Object-store backups (443) and the instance manager's calls to the API server, whose
        // endpoints usually listen on 6443 (policies see the address after the Service's DNAT).
        egress.push({ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [tcp(443), tcp(6443)] });
      }
    }
    // Where c may go.
    for (const e of model.graph.filter((x) => x.from === c)) {
      if (e.toKind === 'external') {
        egress.push({
          to: [
            e.to.includes('/')
              ? { ipBlock: { cidr: e.to } }
              : { ipBlock: { cidr: '0.0.0.0/0', except: PRIVATE_RANGES } },
          ],
          ports: [tcp(e.port)],
        });
      } else if (internal.has(e.to)) {
        egress.push({ to: [{ podSelector: { matchLabels: podsOf(e.to) } }], ports: [tcp(e.port)] });
      }
    }
    // External dependencies (managed databases) live outside the cluster, often on private addresses.
    for (const e of model.graph.filter(
      (x) => x.from === c && x.toKind === 'dependency' && !internal.has(x.to),
    )) {
      egress.push({ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [tcp(e.port)] });
    }
    const types: ('Ingress' | 'Egress')[] = [];
    if (ingress.length > 0) types.push('Ingress');
    if (egress.length > 0) types.push('Egress');
    if (types.length === 0) continue;
    out.push(
      policy(childName(model, c, 'allow'), c, {
        podSelector: { matchLabels: podsOf(c) },
        policyTypes: types,
        ...(ingress.length > 0 ? { ingress } : {}),
        ...(egress.length > 0 ? { egress: dedupe(egress) } : {}),
      }),
    );
  }
  return out;
}

function dedupe<T>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((i) => {
    const k = JSON.stringify(i);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
