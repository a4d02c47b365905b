/**
 * The app's own services as compose services: the model's pinned image (and, where the model
 * builds it, the build), its environment, health check, start order, networks, resources and
 * the hardening every container gets. The development profile swaps in the dev stage of the
 * generated Dockerfile with the source bind-mounted for hot reload, and publishes web ports on
 * 127.0.0.1 only.
 */
import { posix } from 'node:path';
import type { Model, PortModel, ServiceModel } from '../../model/types.ts';
import { healthTimings, type ProbeRuntime, probeTest, runtimeOf } from '../docker/health.ts';
import {
  APP_DIR,
  devCommand,
  devVolumes,
  dockerfileContent,
  dockerfilePath,
  presetBuild,
} from '../docker/index.ts';
import { contentHash } from '../kubernetes/_names.ts';
import type { Condition } from './depends-on.ts';
import { composeEnvironment } from './environment.ts';
import { CAP_DROP, PRODUCTION_LOGGING, SECURITY_OPT, userSpec } from './hardening.ts';
import { composeHealthcheck } from './healthcheck.ts';
import { literal } from './interpolation.ts';
import { composeResources } from './resources.ts';

export interface ServiceContext {
  model: Model;
  specDirFromOutput: string;
  outputDirFromSpec: string;
  files: ReadonlyMap<string, string>;
  networks: string[] | undefined;
  /** True when the project uses graph networks: a service on none of them gets no network at all. */
  isolated: boolean;
  dependsOn: Map<string, Condition> | undefined;
  /** Host ports published (development): `127.0.0.1:<host>:<container>`. */
  ports: string[];
}

/** The service whose image (and build) this one runs. */
export function imageSource(model: Model, svc: ServiceModel): ServiceModel {
  return (svc.imageFrom && model.services.find((s) => s.name === svc.imageFrom)) || svc;
}

/** In development, services built from a preset run its dev server from the bind-mounted source. */
export function runsDevServer(model: Model, svc: ServiceModel): boolean {
  return model.environment.profile === 'development' && presetBuild(imageSource(model, svc)) !== undefined;
}

/** A dev-stage image is tagged apart from the release it would otherwise shadow on the same host. */
export function devImage(image: string): string {
  if (image.includes('@')) return image;
  const slash = image.lastIndexOf('/');
  return image.indexOf(':', slash + 1) === -1 ? `${image}:dev` : `${image}-dev`;
}

export function serviceVolumeName(svc: ServiceModel, volume: string): string {
  return `${svc.name}-${volume}`;
}

/**
 * `build:` with the context seen from the output folder. Compose resolves `dockerfile` from the
 * context, so the generated Dockerfile is named relative to it; a context outside the spec folder
 * cannot name it, and gets the Dockerfile inline instead.
 */
function buildSection(ctx: ServiceContext, svc: ServiceModel): Record<string, unknown> | undefined {
  const source = imageSource(ctx.model, svc);
  const b = source.build;
  if (!b) return undefined;
  const context = posix.normalize(posix.join(ctx.specDirFromOutput, b.context));
  const dev = runsDevServer(ctx.model, svc);
  const args = Object.entries(b.args).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  const out: Record<string, unknown> = { context };
  if (presetBuild(source)) {
    const specContext = posix.normalize(b.context);
    if (specContext === '..' || specContext.startsWith('../')) {
      out.dockerfile_inline = literal(
        dockerfileContent(ctx.model, source, { outputDirFromSpec: ctx.outputDirFromSpec }),
      );
    } else {
      // A fake root deep enough for every `..` of the output folder: the spec folder's real
      // ancestors cancel out of the relative path, whatever their names.
      const ups = ctx.outputDirFromSpec.split('/').filter((p) => p === '..').length;
      const root = `/${Array.from({ length: ups + 1 }, (_, i) => `d${i}`).join('/')}`;
      out.dockerfile = posix.relative(
        posix.join(root, specContext),
        posix.join(root, ctx.outputDirFromSpec, dockerfilePath(source.name)),
      );
    }
    if (dev) out.target = 'dev';
    else if (b.target) out.target = b.target;
  } else {
    if (b.dockerfile) out.dockerfile = b.dockerfile;
    if (b.target) out.target = b.target;
  }
  if (args.length > 0) out.args = Object.fromEntries(args.map(([k, v]) => [k, literal(v)]));
  return out;
}

function probeRuntime(model: Model, svc: ServiceModel): ProbeRuntime {
  if (!runsDevServer(model, svc)) return runtimeOf(model, svc);
  // The dev stage of every node-based preset (static included) runs Node.
  return presetBuild(imageSource(model, svc))?.preset === 'python' ? 'python' : 'node';
}

function mounts(ctx: ServiceContext, svc: ServiceModel): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  if (runsDevServer(ctx.model, svc)) {
    const source = imageSource(ctx.model, svc);
    const b = source.build;
    if (b) {
      out.push({
        type: 'bind',
        source: posix.normalize(posix.join(ctx.specDirFromOutput, b.context)),
        target: APP_DIR,
      });
      for (const path of devVolumes(source)) out.push({ type: 'volume', target: path });
    }
  }
  for (const f of svc.files)
    out.push({
      type: 'bind',
      source: posix.normalize(posix.join(ctx.specDirFromOutput, f.source)),
      target: f.target,
      read_only: true,
    });
  for (const v of svc.volumes)
    out.push({ type: 'volume', source: serviceVolumeName(svc, v.name), target: v.path });
  return out;
}

function labels(ctx: ServiceContext, svc: ServiceModel): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(svc.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    out[k] = literal(v);
  // Compose recreates a container whose configuration changed; a mounted file's content is not
  // part of it, so its hash is: a changed config file restarts the service on the next `up`.
  if (svc.files.length > 0)
    out['slipway.dev/config-checksum'] = contentHash(
      Object.fromEntries(svc.files.map((f) => [f.target, ctx.files.get(f.source) ?? ''])),
    );
  return out;
}

export function appService(ctx: ServiceContext, svc: ServiceModel): Record<string, unknown> {
  const { model } = ctx;
  const production = model.environment.profile === 'production';
  const dev = runsDevServer(model, svc);
  const build = buildSection(ctx, svc);
  const job = svc.kind === 'job' || svc.kind === 'cron';
  const environment = composeEnvironment(model, svc);
  const devCmd = dev && !svc.command ? devCommand(svc) : [];
  const command = svc.args ?? (devCmd.length > 0 ? devCmd : undefined);
  const health = svc.health;
  const t = health ? healthTimings(health) : undefined;
  const vols = mounts(ctx, svc);
  const readOnly = svc.readOnlyRootFilesystem && !dev;
  const lbl = labels(ctx, svc);
  const replicas = !job && svc.replicas !== 1 ? { replicas: svc.replicas } : {};
  return {
    image: dev ? devImage(svc.image) : svc.image,
    ...(build ? { build } : {}),
    ...(svc.command ? { entrypoint: svc.command.map(literal) } : {}),
    ...(command ? { command: command.map(literal) } : {}),
    user: userSpec(svc.runAsUser),
    // An init process as PID 1 forwards signals and reaps zombies (npm start, shells).
    init: true,
    ...(Object.keys(environment).length > 0 ? { environment } : {}),
    ...(ctx.ports.length > 0 ? { ports: ctx.ports } : {}),
    ...(ctx.networks && ctx.networks.length > 0
      ? { networks: ctx.networks }
      : ctx.isolated
        ? { network_mode: 'none' }
        : {}),
    ...(ctx.dependsOn && ctx.dependsOn.size > 0
      ? {
          depends_on: Object.fromEntries(
            [...ctx.dependsOn]
              .sort(([a], [b]) => (a < b ? -1 : 1))
              .map(([n, condition]) => [n, { condition }]),
          ),
        }
      : {}),
    ...(health && t
      ? {
          healthcheck: composeHealthcheck(
            probeTest(probeRuntime(model, svc), health.check, t.timeoutSeconds),
            t,
          ),
        }
      : {}),
    restart: job ? 'no' : 'unless-stopped',
    deploy: { ...replicas, resources: composeResources(svc.resources) },
    read_only: readOnly,
    ...(dev ? {} : { tmpfs: svc.writablePaths }),
    ...(vols.length > 0 ? { volumes: vols } : {}),
    security_opt: SECURITY_OPT,
    cap_drop: CAP_DROP,
    stop_grace_period: `${svc.terminationGraceSeconds}s`,
    ...(production ? { logging: PRODUCTION_LOGGING } : {}),
    ...(Object.keys(lbl).length > 0 ? { labels: lbl } : {}),
    ...(svc.kind === 'cron' ? { profiles: ['cron'] } : {}),
  };
}

/** `127.0.0.1:<host>:<container>[/udp]`, host ports kept unique across the project. */
export function publishedPorts(
  ports: readonly PortModel[],
  replicas: number,
  taken: Set<number>,
): { ports: string[]; moved: string[] } {
  const out: string[] = [];
  const moved: string[] = [];
  for (const p of ports) {
    const width = Math.max(1, replicas);
    let host = p.port;
    const free = (h: number) => Array.from({ length: width }, (_, i) => h + i).every((x) => !taken.has(x));
    while (!free(host) && host + width - 1 < 65535) host++;
    for (let i = 0; i < width; i++) taken.add(host + i);
    if (host !== p.port) moved.push(`${p.port} → ${host}`);
    const hostPart = width > 1 ? `${host}-${host + width - 1}` : String(host);
    out.push(`127.0.0.1:${hostPart}:${p.port}${p.protocol === 'UDP' ? '/udp' : ''}`);
  }
  return { ports: out, moved };
}
