/**
 * docs/networking.md: per environment, the topology diagram, the entry points exposed to the
 * world, who talks to whom, external egress, and the network isolation actually enforced (the
 * NetworkPolicy graph on Kubernetes, the internal networks on compose).
 */
import type { EnvContext } from '../context.ts';
import { objectsOfKind } from '../context.ts';
import { blocks, ic, table } from '../format.ts';
import { mermaidBlock } from '../mermaid.ts';
import { type AllowedEdge, allowedEdges, networkPolicyChart, peerText, portsText } from '../netpol.ts';
import { type Doc, link } from '../page.ts';
import { targetText } from '../summary.ts';
import { publishedPorts, topologyChart } from '../topology.ts';
import { hasEntry, REASONS } from './overview.ts';

function entryPoints(ctx: EnvContext): string {
  const m = ctx.model;
  const ing = m.ingress;
  const k8s = m.environment.target === 'kubernetes';
  const routeRows = (scheme: string) =>
    (ing?.routes ?? []).flatMap((r) =>
      (r.host ? [r.host] : ing?.hosts.length ? ing.hosts : ['<any host>']).map((h) => [
        `${scheme}://${h}${r.path}`,
        r.pathType,
        r.service,
        `${r.port.name} (${r.port.port})`,
      ]),
    );
  if (k8s && ing) {
    const scheme = ing.tls ? 'https' : 'http';
    return blocks(
      `One Ingress (class ${ic(ing.className)}) is the only way in${ing.tls ? '; HTTP redirects to HTTPS' : ''}. Every Service behind it is ClusterIP: nothing else is reachable from outside the cluster.`,
      table(['URL', 'match', 'service', 'port'], routeRows(scheme)),
      ingressExtras(ctx),
    );
  }
  if (k8s)
    return 'No ingress: nothing is exposed outside the cluster. Reach a service with `kubectl port-forward` (see the runbook).';
  if (ctx.compose?.proxy && ing) {
    const proxy = ctx.compose.services[ctx.compose.proxy];
    const ports = (proxy?.ports ?? []).map((p) => ic(String(typeof p === 'object' ? p.published : p)));
    return blocks(
      `The ${ic(ctx.compose.proxy)} container (Caddy) is the only one that publishes ports: ${ports.join(', ')} on the host. ${ing.tls ? "It obtains certificates itself and redirects HTTP to HTTPS; the hosts' DNS must point at this server with ports 80 and 443 open." : 'TLS is off: plain HTTP.'}`,
      table(['URL', 'match', 'service', 'port'], routeRows(ing.tls ? 'https' : 'http')),
      ingressExtras(ctx),
    );
  }
  const published = m.services.flatMap((s) =>
    publishedPorts(ctx, s.name).map((p) => [s.name, `http://${p}`]),
  );
  if (published.length)
    return blocks(
      'No proxy: each web service publishes its port on the loopback interface only (ingress paths are not routed here).',
      table(['service', 'address'], published),
    );
  return 'Nothing is published: no port is reachable from outside the compose project.';
}

function ingressExtras(ctx: EnvContext): string | undefined {
  const ing = ctx.model.ingress;
  if (!ing) return undefined;
  const items = [
    Object.keys(ing.securityHeaders).length
      ? `Response headers: ${Object.keys(ing.securityHeaders).map(ic).join(', ')}.`
      : '',
    ing.maxBodySize ? `Request bodies up to ${ing.maxBodySize}.` : '',
    ing.cache.length
      ? `Cache rules: ${ing.cache.map((c) => `${ic(c.path)} ${c.maxAgeSeconds === 0 ? 'no-store' : `max-age ${c.maxAgeSeconds}s`}`).join(', ')}${ctx.model.environment.target === 'kubernetes' ? ' (applied by the compose proxy only; on Kubernetes set them in the app or a CDN)' : ''}.`
      : '',
    ctx.model.services.some((s) => s.sessionAffinity)
      ? `Session affinity (cookie) for ${ctx.model.services
          .filter((s) => s.sessionAffinity)
          .map((s) => s.name)
          .join(', ')}.`
      : '',
  ].filter(Boolean);
  return items.join(' ');
}

/** The declared destinations an address-range edge exists for. */
function meantFor(ctx: EnvContext, e: AllowedEdge): string {
  if (e.to.kind !== 'cidr' || e.from.kind !== 'component') return '';
  const from = e.from.name;
  const ports = e.ports?.map((p) => Number(p.split(' ')[1]));
  const hosts = [
    ...new Set(
      ctx.model.graph
        .filter(
          (g) =>
            g.from === from &&
            (g.toKind === 'external' || g.toKind === 'dependency') &&
            (!ports || ports.includes(g.port)),
        )
        .filter(
          (g) =>
            g.toKind === 'external' ||
            ctx.model.dependencies.some((d) => d.name === g.to && d.mode === 'external'),
        )
        .map((g) => g.to),
    ),
  ];
  return hosts.length ? ` (for ${hosts.join(', ')})` : '';
}

function isolation(ctx: EnvContext): string {
  const m = ctx.model;
  if (m.security.networkPolicy === 'open')
    return m.environment.target === 'kubernetes'
      ? '`security.networkPolicy: open`: no NetworkPolicy is rendered; every pod can reach every other pod and the internet.'
      : "`security.networkPolicy: open`: every container shares the project's default network.";
  if (m.environment.target === 'kubernetes') {
    const edges = allowedEdges(ctx);
    const policies = objectsOfKind(ctx, 'NetworkPolicy');
    return blocks(
      `Zero trust: ${policies.length} NetworkPolicies (${policies.map((p) => ic(p.metadata.name)).join(', ')}) deny everything in the namespace and allow exactly these edges. Read back from the rendered policies, so this is what the cluster enforces (with a CNI that enforces NetworkPolicy).`,
      mermaidBlock(networkPolicyChart(ctx, edges)),
      table(
        ['from', 'to', 'ports'],
        edges.map((e) => [peerText(e.from), `${peerText(e.to)}${meantFor(ctx, e)}`, portsText(e.ports)]),
      ),
      edges.some((e) => e.to.kind === 'cidr')
        ? 'NetworkPolicy cannot filter by host name: declared egress is allowed to any public address on its port. For per-host egress, use a CNI with FQDN policies.'
        : undefined,
      'Port-forwarding (`kubectl port-forward`) goes through the kubelet, not the pod network, so it works despite these policies.',
    );
  }
  const nets = Object.entries(ctx.compose?.networks ?? {});
  const members = (net: string) =>
    Object.entries(ctx.compose?.services ?? {})
      .filter(([, s]) =>
        (Array.isArray(s.networks) ? s.networks : Object.keys(s.networks ?? {})).includes(net),
      )
      .map(([n]) => n)
      .sort();
  const none = Object.entries(ctx.compose?.services ?? {})
    .filter(
      ([, s]) =>
        !s.networks ||
        (Array.isArray(s.networks) ? s.networks.length === 0 : Object.keys(s.networks).length === 0),
    )
    .map(([n]) => n);
  return blocks(
    'Zero trust, as far as compose can: one internal network per component that others reach, joined only by the components that talk to it (the communication graph). Internal networks have no route outside; compose cannot filter by port or by host.',
    table(
      ['network', 'kind', 'members'],
      nets.map(([n, v]) => [
        ic(n),
        v?.internal
          ? 'internal'
          : n === 'edge'
            ? 'published ports'
            : n === 'egress'
              ? 'outbound traffic'
              : 'bridge',
        members(n).join(', '),
      ]),
    ),
    none.length ? `No network at all (\`network_mode: none\`): ${none.join(', ')}.` : undefined,
  );
}

export function networkingPage(ctxs: EnvContext[]): Doc {
  const path = 'networking.md';
  const sections = ctxs.map((ctx) => {
    const m = ctx.model;
    const comm = m.graph
      .filter((e) => e.from !== 'ingress' || hasEntry(ctx))
      .map((e) => [e.from, e.to, String(e.port), REASONS[e.reason] ?? e.reason]);
    const egress = m.services.flatMap((s) =>
      s.egress.map((e) => [s.name, e.host ?? e.cidr ?? '', String(e.port), e.description ?? '']),
    );
    const external = m.dependencies
      .filter((d) => d.mode === 'external')
      .map((d) => [
        d.name,
        d.external?.host ?? '(from its URL secret)',
        String(d.port),
        `external ${d.type}`,
      ]);
    return blocks(
      `## ${ctx.name}`,
      `${targetText(m)} · ${m.environment.target === 'kubernetes' ? `namespace ${ic(m.environment.namespace)}` : `project ${ic(ctx.compose?.project ?? m.environment.namespace)}`} · ${link(path, `runbooks/${ctx.name}.md`, 'runbook')}`,
      mermaidBlock(topologyChart(ctx)),
      '### Entry points',
      entryPoints(ctx),
      '### Who talks to whom',
      comm.length ? table(['from', 'to', 'port', 'why'], comm) : 'No component talks to another.',
      egress.length || external.length ? '### Outbound traffic' : undefined,
      table(['from', 'to', 'port', 'what'], [...egress, ...external]),
      '### Isolation',
      isolation(ctx),
    );
  });
  return {
    path,
    title: 'Networking',
    body: blocks(
      'Per environment: the topology (clients → entry point → services → dependencies, and the outside world), what is exposed, who talks to whom, and the isolation that is enforced.',
      ...sections,
    ),
  };
}
