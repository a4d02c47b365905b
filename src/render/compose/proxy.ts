/**
 * The production profile's TLS reverse proxy: Caddy. It is the natural single-server choice —
 * it obtains and renews certificates by itself (ACME, HTTP-01 and TLS-ALPN-01), redirects HTTP to
 * HTTPS by default, and its whole configuration (hosts, path routing, headers, cache rules) is a
 * short Caddyfile. nginx would need certbot, a renewal job and a reload hook beside it; Traefik
 * would read routing from container labels, spreading the ingress across services.
 *
 * Only the proxy publishes ports (80 and 443, plus 443/udp for HTTP/3); it reaches each routed
 * service over that service's own network, exactly as the graph's ingress edges say.
 */
import type { IngressModel, Model } from '../../model/types.ts';
import { baseImage } from '../docker/images.ts';
import type { Condition } from './depends-on.ts';
import { CAP_DROP, PRODUCTION_LOGGING, SECURITY_OPT, userSpec } from './hardening.ts';
import { composeHealthcheck } from './healthcheck.ts';

/** Caddy runs unprivileged; its image keeps /data/caddy and /config/caddy world-writable for that. */
export const PROXY_UID = 10001;

export function hasProxy(model: Model): boolean {
  return model.environment.profile === 'production' && (model.ingress?.routes.length ?? 0) > 0;
}

/** `proxy`, unless the app already has a component of that name. */
export function proxyName(model: Model): string {
  const taken = new Set([...model.services.map((s) => s.name), ...model.dependencies.map((d) => d.name)]);
  return ['proxy', 'edge-proxy', 'slipway-proxy'].find((n) => !taken.has(n)) ?? 'slipway-proxy';
}

export function proxyVolumes(name: string): { data: string; config: string } {
  return { data: `${name}-data`, config: `${name}-config` };
}

export function proxyService(
  model: Model,
  name: string,
  networks: string[] | undefined,
  dependsOn: Map<string, Condition> | undefined,
): Record<string, unknown> {
  const tls = model.ingress?.tls !== undefined;
  const vols = proxyVolumes(name);
  return {
    image: baseImage(model, 'proxy'),
    user: userSpec(PROXY_UID),
    ports: tls ? ['80:80', '443:443', '443:443/udp'] : ['80:80'],
    ...(networks && networks.length > 0 ? { networks } : {}),
    ...(dependsOn && dependsOn.size > 0
      ? {
          depends_on: Object.fromEntries(
            [...dependsOn].sort(([a], [b]) => (a < b ? -1 : 1)).map(([n, condition]) => [n, { condition }]),
          ),
        }
      : {}),
    // Caddy's admin API answers only inside the container; a loaded config means it is serving.
    healthcheck: composeHealthcheck(
      // A GET (-O /dev/null), not --spider: GNU wget's --spider sends HEAD, which Caddy's admin API refuses.
      ['CMD', 'wget', '-q', '-T', '3', '-O', '/dev/null', 'http://127.0.0.1:2019/config/'],
      {
        intervalSeconds: 10,
        timeoutSeconds: 3,
        retries: 3,
        startPeriodSeconds: 30,
        startIntervalSeconds: 2,
      },
    ),
    restart: 'unless-stopped',
    deploy: {
      resources: { limits: { cpus: '1', memory: '256m' }, reservations: { cpus: '0.1', memory: '64m' } },
    },
    read_only: true,
    tmpfs: ['/tmp'],
    volumes: [
      { type: 'bind', source: './Caddyfile', target: '/etc/caddy/Caddyfile', read_only: true },
      { type: 'volume', source: vols.data, target: '/data/caddy' },
      { type: 'volume', source: vols.config, target: '/config/caddy' },
    ],
    security_opt: SECURITY_OPT,
    cap_drop: CAP_DROP,
    // The caddy binary carries this file capability; exec fails unless it stays in the bounding
    // set. With no-new-privileges it is never granted: ports 80 and 443 are bound unprivileged.
    cap_add: ['NET_BIND_SERVICE'],
    sysctls: { 'net.ipv4.ip_unprivileged_port_start': 0 },
    stop_grace_period: '30s',
    logging: PRODUCTION_LOGGING,
  };
}

/** A Caddyfile double-quoted token; braces escaped so header values are never read as placeholders. */
function token(value: string): string {
  return `"${value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/[{}]/g, (c) => `\\${c}`)}"`;
}

/** Kubernetes path semantics: Prefix `/api` matches `/api` and `/api/…`, never `/apis`. */
function pathPatterns(path: string, pathType: 'Prefix' | 'Exact'): string[] | undefined {
  if (pathType === 'Exact') return [path];
  const p = path.replace(/\/+$/, '');
  return p === '' ? undefined : [p, `${p}/*`];
}

/** K8s quantities in Caddy's units: `10Mi` → `10MiB`, `10M` → `10MB`. */
function byteSize(q: string): string {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|K|M|G|T|k)?$/.exec(q.trim());
  if (!m) return q;
  const unit = m[2] ?? '';
  return unit === '' ? `${m[1]}B` : `${m[1]}${unit.toUpperCase().replace('I', 'i')}B`;
}

function sites(ing: IngressModel): { host: string; routes: IngressModel['routes'] }[] {
  const hosts = [...new Set([...ing.hosts, ...ing.routes.flatMap((r) => (r.host ? [r.host] : []))])];
  return hosts.map((host) => ({
    host,
    routes: ing.routes
      .filter((r) => r.host === undefined || r.host === host)
      .map((r, i) => ({ r, i }))
      // The most specific path first (longest; Exact before Prefix), as an ingress controller does.
      .sort((a, b) => {
        const la = a.r.path.replace(/\/+$/, '').length;
        const lb = b.r.path.replace(/\/+$/, '').length;
        if (la !== lb) return lb - la;
        if (a.r.pathType !== b.r.pathType) return a.r.pathType === 'Exact' ? -1 : 1;
        // A route written for this host wins over one for every host.
        if ((a.r.host === undefined) !== (b.r.host === undefined)) return a.r.host === undefined ? 1 : -1;
        return a.i - b.i;
      })
      .map(({ r }) => r),
  }));
}

export function caddyfile(model: Model): string {
  const ing = model.ingress;
  if (!ing) throw new Error('internal: caddyfile without ingress');
  const tls = ing.tls !== undefined;
  const out = [
    `# Generated by slipway for environment "${model.environment.name}" of ${model.app.name}. Do not edit:`,
    '# change slipway.yaml and run slipway plan.',
    '#',
    tls
      ? '# Caddy terminates TLS: certificates are obtained and renewed automatically (ACME) and HTTP'
      : '# TLS is off for this environment (ingress.tls: false): plain HTTP on port 80.',
    ...(tls
      ? [
          '# is redirected to HTTPS. The hosts must resolve to this server, with ports 80 and 443 open.',
          "# Certificates persist in the proxy's data volume (Let's Encrypt rate-limits re-issuing them).",
        ]
      : []),
    '',
  ];
  for (const site of sites(ing)) {
    out.push(`${tls ? '' : 'http://'}${site.host} {`, '\tencode zstd gzip', '\tlog', '');
    const headers = Object.entries(ing.securityHeaders).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    out.push(
      '\t# Security headers (ingress.securityHeaders), set as the response leaves: the app cannot send a second copy.',
      '\theader {',
      ...headers.map(([k, v]) => `\t\t${k} ${token(v)}`),
      '\t\t-Server',
      '\t\tdefer',
      '\t}',
    );
    ing.cache.forEach((c, i) => {
      const patterns = pathPatterns(c.path, 'Prefix') ?? ['*'];
      out.push(
        '',
        `\t# Cache rule (ingress.cache): ${c.path}, ${c.maxAgeSeconds === 0 ? 'never cached' : `${c.maxAgeSeconds}s`}.`,
        `\t@cache${i} {`,
        `\t\tmethod ${c.methods.join(' ')}`,
        `\t\tpath ${patterns.join(' ')}`,
        '\t}',
        `\theader @cache${i} {`,
        `\t\tCache-Control ${token(c.maxAgeSeconds === 0 ? 'no-store' : `public, max-age=${c.maxAgeSeconds}`)}`,
        '\t\tdefer',
        '\t}',
      );
    });
    if (ing.maxBodySize) out.push('', '\trequest_body {', `\t\tmax_size ${byteSize(ing.maxBodySize)}`, '\t}');
    out.push('', '\t# Routes (ingress.routes), the most specific path first.');
    const handles: string[] = [];
    let catchAll = false;
    site.routes.forEach((r, i) => {
      const patterns = pathPatterns(r.path, r.pathType);
      const upstream = `\t\t\treverse_proxy ${r.service}:${r.port.port}`;
      if (!patterns) {
        if (!catchAll) handles.push('\t\thandle {', upstream, '\t\t}');
        catchAll = true;
        return;
      }
      out.push(`\t@route${i} path ${patterns.join(' ')}`);
      handles.push(`\t\thandle @route${i} {`, upstream, '\t\t}');
    });
    if (!catchAll) handles.push('\t\thandle {', '\t\t\trespond "Not Found" 404', '\t\t}');
    out.push('\troute {', ...handles, '\t}', '}', '');
  }
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}
