/**
 * Networks drawn from the communication graph, as the Kubernetes network policies are: every
 * component that others reach gets its own internal network, `<name>-net`, joined by it and by
 * exactly the components with an edge to it. A container therefore shares a network only with
 * what it uses and with what uses it, and no internal network reaches the outside world.
 *
 * Two networks are not internal: `edge`, where ports are published (the proxy in production, the
 * web services in development), and `egress`, joined by the services that declare outbound
 * traffic or use an external dependency (compose cannot filter by host: the graph decides who
 * may leave, not where to). With `security.networkPolicy: open`, everything shares one network.
 */
import type { Model } from '../../model/types.ts';
import { runsInCompose } from './connections.ts';

export const EDGE_NETWORK = 'edge';
export const EGRESS_NETWORK = 'egress';

export function componentNetwork(component: string): string {
  return `${component}-net`;
}

export interface NetworkPlan {
  /** Top-level `networks:` (empty: compose's default network). */
  networks: Record<string, { internal?: boolean }>;
  /** The networks of each rendered component; absent components join none (`network_mode: none`). */
  membership: Map<string, string[]>;
}

export interface NetworkInputs {
  /** The proxy's compose name, when one is rendered (it stands for the graph's `ingress`). */
  proxy?: string;
  /** Components that publish ports on the host. */
  publishers: ReadonlySet<string>;
}

export function planNetworks(model: Model, inputs: NetworkInputs): NetworkPlan {
  if (model.security.networkPolicy === 'open') return { networks: {}, membership: new Map() };
  const rendered = new Set([
    ...model.services.map((s) => s.name),
    ...model.dependencies.filter(runsInCompose).map((d) => d.name),
  ]);
  const external = new Set(model.dependencies.filter((d) => !runsInCompose(d)).map((d) => d.name));
  const membership = new Map<string, Set<string>>();
  const networks: NetworkPlan['networks'] = {};
  const join = (component: string, network: string) => {
    const set = membership.get(component) ?? new Set<string>();
    set.add(network);
    membership.set(component, set);
  };
  for (const e of model.graph) {
    const from = e.from === 'ingress' ? inputs.proxy : rendered.has(e.from) ? e.from : undefined;
    if (from === undefined) continue;
    if (e.toKind === 'external' || (e.toKind === 'dependency' && external.has(e.to))) {
      networks[EGRESS_NETWORK] = {};
      join(from, EGRESS_NETWORK);
    } else if (rendered.has(e.to) && e.to !== from) {
      const net = componentNetwork(e.to);
      networks[net] = { internal: true };
      join(e.to, net);
      join(from, net);
    }
  }
  const publishers = [...inputs.publishers, ...(inputs.proxy ? [inputs.proxy] : [])];
  for (const p of publishers) {
    networks[EDGE_NETWORK] = {};
    join(p, EDGE_NETWORK);
  }
  return {
    networks: Object.fromEntries(Object.entries(networks).sort(([a], [b]) => (a < b ? -1 : 1))),
    membership: new Map([...membership].map(([c, s]) => [c, [...s].sort()])),
  };
}
