/**
 * Model → a Docker Compose project for a `target: compose` environment: `compose.yaml`
 * (Compose Specification, no `version:`), the proxy's `Caddyfile` in the production profile, and
 * `.env.example`, the template of the never-committed env file every secret is interpolated
 * from. Pure and deterministic; the Dockerfiles it builds come from renderDockerfiles.
 *
 * production: single-server production — a TLS proxy in front of the routed services is the only
 *   thing that publishes ports; every container is hardened and read-only.
 * development: the dev stage of each preset's Dockerfile with the source bind-mounted and hot
 *   reload, web ports published on 127.0.0.1, no proxy.
 */
import type { Model } from '../../model/types.ts';
import type { FileArtifact } from '../artifact.ts';
import type { RenderProblem } from '../kubernetes/patches.ts';
import { runsInCompose } from './connections.ts';
import { dependencyService, dependencyVolumes } from './dependencies.ts';
import { planDependsOn } from './depends-on.ts';
import { type Comments, composeText } from './document.ts';
import { envExample } from './env-file.ts';
import { secretsUsed } from './environment.ts';
import { envFileName, secretVariable } from './interpolation.ts';
import { planNetworks } from './networks.ts';
import { applyComposePatches, type ComposeFile } from './patches.ts';
import { caddyfile, hasProxy, proxyName, proxyService, proxyVolumes } from './proxy.ts';
import { appService, publishedPorts, runsDevServer, serviceVolumeName } from './services.ts';

export type { RenderProblem } from '../kubernetes/patches.ts';

export interface ComposeInputs {
  /** Contents of config files mounted from the spec folder, by their spec-relative path. */
  files: ReadonlyMap<string, string>;
  /** The spec folder, relative to the output folder (`deploy/<env>/`). Default `../..`. */
  specDirFromOutput?: string;
  /** The output folder, relative to the spec folder (names the generated Dockerfiles for `build`). Default `deploy/<env>`. */
  outputDirFromSpec?: string;
}

export interface ComposeRender {
  files: FileArtifact[];
  notes: string[];
  problems: RenderProblem[];
}

export function renderCompose(model: Model, inputs: ComposeInputs): ComposeRender {
  const env = model.environment;
  const specDirFromOutput = inputs.specDirFromOutput ?? '../..';
  const outputDirFromSpec = inputs.outputDirFromSpec ?? `deploy/${env.name}`;
  const production = env.profile === 'production';
  const proxy = hasProxy(model) ? proxyName(model) : undefined;
  const notes: string[] = [];

  // Development: web services publish their ports on the loopback interface only.
  const taken = new Set<number>();
  const published = new Map<string, string[]>();
  if (!production) {
    for (const s of model.services) {
      if (s.kind !== 'web' || s.ports.length === 0) continue;
      const { ports, moved } = publishedPorts(s.ports, s.replicas, taken);
      published.set(s.name, ports);
      if (moved.length > 0)
        notes.push(`${s.name}: host port ${moved.join(', ')} (already published by another service)`);
    }
  }

  const networks = planNetworks(model, {
    publishers: new Set(published.keys()),
    ...(proxy ? { proxy } : {}),
  });
  const isolated = model.security.networkPolicy !== 'open';
  const healthChecked = new Set([
    ...model.services.filter((s) => s.health).map((s) => s.name),
    ...model.dependencies.filter(runsInCompose).map((d) => d.name),
  ]);
  const dependsOn = planDependsOn(model, healthChecked, proxy);
  notes.push(...dependsOn.notes);

  const services: Record<string, unknown> = {};
  for (const s of model.services) {
    services[s.name] = appService(
      {
        model,
        specDirFromOutput,
        outputDirFromSpec,
        files: inputs.files,
        networks: networks.membership.get(s.name),
        isolated,
        dependsOn: dependsOn.byService.get(s.name),
        ports: published.get(s.name) ?? [],
      },
      s,
    );
  }
  for (const d of model.dependencies.filter(runsInCompose)) {
    const svc = dependencyService(model, d);
    const nets = networks.membership.get(d.name);
    services[d.name] = insertAfter(
      svc,
      'environment' in svc ? 'environment' : 'user',
      nets && nets.length > 0 ? { networks: nets } : isolated ? { network_mode: 'none' } : {},
    );
  }
  if (proxy)
    services[proxy] = proxyService(
      model,
      proxy,
      networks.membership.get(proxy),
      dependsOn.byService.get(proxy),
    );

  const volumes = [
    ...model.services.flatMap((s) => s.volumes.map((v) => serviceVolumeName(s, v.name))),
    ...dependencyVolumes(model),
    ...(proxy ? Object.values(proxyVolumes(proxy)) : []),
  ].sort();
  const file: ComposeFile = {
    name: env.namespace,
    services,
    ...(Object.keys(networks.networks).length > 0 ? { networks: networks.networks } : {}),
    ...(volumes.length > 0 ? { volumes: Object.fromEntries(volumes.map((v) => [v, {}])) } : {}),
  };
  const patched = applyComposePatches(model, file);

  const envFile = envFileName(model);
  const header = [
    ` Generated by slipway for environment "${env.name}" of ${model.app.name} (profile ${env.profile}). Do not edit:`,
    ' change slipway.yaml and run slipway plan.',
    ` Run from this folder: docker compose --env-file ${specDirFromOutput}/${envFile} up -d${production ? '' : ' --build -V'}`,
    ...(production
      ? []
      : [' (-V: fresh anonymous volumes, so node_modules always comes from the freshly built dev image)']),
    ` Secrets are interpolated from that env file (never committed; template: .env.example):`,
    ' no secret value is written here.',
  ].join('\n');
  const comments: Comments = [];
  for (const s of model.services) {
    if (runsDevServer(model, s))
      comments.push({
        path: ['services', s.name],
        text: ' development: the dev stage with the source bind-mounted and hot reload; the root filesystem\n stays writable because dev servers write caches (production runs it read-only).',
      });
    if (s.hook)
      comments.push({
        path: ['services', s.name],
        text:
          s.hook.phase === 'pre-deploy'
            ? ' pre-deploy hook: runs to completion before the services that wait for it start.'
            : ' post-deploy hook: runs once the services are up.',
      });
    if (s.kind === 'cron')
      comments.push({
        path: ['services', s.name],
        text: ` cron "${s.schedule ?? ''}": compose has no scheduler; run it from the host's crontab with\n docker compose run --rm ${s.name}`,
      });
  }
  if (proxy)
    comments.push({
      path: ['services', proxy],
      text: ' TLS reverse proxy (Caddy): automatic HTTPS, HTTP→HTTPS redirect, the ingress routes and headers\n (see Caddyfile). The only service that publishes ports.',
    });
  if (Object.keys(networks.networks).length > 0)
    comments.push({
      path: ['networks'],
      spaceBefore: true,
      text: ' One internal network per component that others reach, joined by it and by exactly those that\n use it (the communication graph). "edge" publishes ports; "egress" is for declared outbound traffic.',
    });
  if (volumes.length > 0)
    comments.push({
      path: ['volumes'],
      spaceBefore: true,
      text: ' Named volumes: data survives docker compose down; only docker compose down -v deletes it.',
    });

  const used = new Set(model.services.flatMap((s) => [...secretsUsed(model, s)]));
  for (const d of model.dependencies)
    if (runsInCompose(d) && d.type === 'postgres') used.add(`${d.name}-password`);

  const files: FileArtifact[] = [
    {
      path: 'compose.yaml',
      content: composeText(patched.file, header, comments),
      renderer: 'compose',
    },
    { path: '.env.example', content: envExample(model, used, specDirFromOutput), renderer: 'compose' },
  ];
  if (proxy) files.push({ path: 'Caddyfile', content: caddyfile(model), renderer: 'compose' });

  notes.push(...summaryNotes(model, { proxy, published, used, envFile, specDirFromOutput }));
  return { files, notes, problems: patched.problems };
}

function insertAfter(
  obj: Record<string, unknown>,
  key: string,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    out[k] = v;
    if (k === key) Object.assign(out, extra);
  }
  return out;
}

function summaryNotes(
  model: Model,
  x: {
    proxy: string | undefined;
    published: Map<string, string[]>;
    used: Set<string>;
    envFile: string;
    specDirFromOutput: string;
  },
): string[] {
  const out: string[] = [];
  const needed = model.secrets.filter((s) => x.used.has(s.name)).map((s) => secretVariable(s.key));
  if (model.secrets.length > 0)
    out.push(
      `secrets: copy .env.example to ${x.envFile} next to slipway.yaml and fill it in${needed.length > 0 ? ` (${needed.join(', ')})` : ''}; compose reads it with --env-file ${x.specDirFromOutput}/${x.envFile}`,
      `.gitignore: never commit the env file — add ${x.envFile === '.env' ? '.env' : `.env and ${x.envFile}`} (and .env.* with !.env.example)`,
    );
  if (model.secrets.some((s) => s.implicit))
    out.push(
      `secrets: ${model.secrets
        .filter((s) => s.implicit)
        .map((s) => secretVariable(s.key))
        .join(', ')} added by Slipway for self-hosted databases (make them URL-safe: openssl rand -hex 24)`,
    );
  if (x.proxy) {
    const hosts = model.ingress?.hosts.join(', ') ?? '';
    out.push(
      model.ingress?.tls
        ? `proxy: Caddy serves ${hosts} over HTTPS with automatic certificates; their DNS must point at this server, with ports 80 and 443 open`
        : `proxy: Caddy serves ${hosts} over plain HTTP on port 80 (ingress.tls is off)`,
    );
  } else if (model.environment.profile === 'production') {
    out.push('production profile without ingress routes: no proxy, and no port is published');
  }
  for (const [svc, ports] of x.published)
    out.push(
      `${svc}: http://${ports.map((p) => p.split(':').slice(0, 2).join(':').replace(/-\d+$/, '')).join(', http://')}`,
    );
  if (model.environment.profile === 'development' && (model.ingress?.routes.length ?? 0) > 0)
    out.push(
      'development: no proxy; ingress paths (e.g. /api) are not routed — reach each service on its own port',
    );
  for (const s of model.services) {
    const source = s.imageFrom ? model.services.find((x) => x.name === s.imageFrom) : s;
    if (s.volumes.length === 0 || (source?.build?.preset && !source.build.dockerfile)) continue;
    out.push(
      `${s.name}: a new named volume takes the ownership of the image's directory, so its image must create ${s.volumes
        .map((v) => v.path)
        .join(', ')} owned by uid ${s.runAsUser} (Slipway's preset Dockerfiles do)`,
    );
  }
  const crons = model.services.filter((s) => s.kind === 'cron');
  if (crons.length > 0)
    out.push(
      `cron: compose has no scheduler; add host crontab entries, e.g. ${crons
        .map((c) => `"${c.schedule ?? ''} docker compose run --rm ${c.name}"`)
        .join(', ')} (services in profile "cron")`,
    );
  const pg = model.dependencies.filter((d) => d.type === 'postgres' && runsInCompose(d) && d.backup);
  if (model.backup.enabled && pg.length > 0)
    out.push(
      `backup: compose has no scheduler for pg_dump; from the host's crontab: ${pg
        .map(
          (d) =>
            `docker compose exec -T ${d.name} pg_dump -U ${d.user} -d ${d.database} --format=custom > ${d.name}-$(date +%F).dump`,
        )
        .join('; ')}`,
    );
  if (model.services.some((s) => s.egress.length > 0) && model.security.networkPolicy !== 'open')
    out.push(
      'egress: compose cannot filter by host; services that declare egress join the "egress" network, which reaches any address',
    );
  if (model.monitoring.enabled && model.services.some((s) => s.metrics))
    out.push(
      "monitoring: compose renders no Prometheus; metrics endpoints are reachable on the services' networks",
    );
  return out;
}
