/**
 * Everything a deploy checks before it changes anything: the engine answers, Compose v2 is there
 * (and BuildKit when there is something to build), the env file gives every secret the project
 * needs, the host ports the project publishes are free (or already ours), and the disk has room.
 * Each failure says what is wrong and how to fix it.
 */
import { statfsSync } from 'node:fs';
import { createServer } from 'node:net';
import { EngineError, UsageError } from '../../cli/errors.ts';
import type { ComposeObject } from './bundle.ts';
import type { Engine, ProjectRef } from './engine.ts';

/** Compose 2.20 added `start_interval` and `--wait-timeout`; older releases reject the files. */
const MIN_COMPOSE = [2, 20] as const;
/** Docker 23 made BuildKit the default builder (the Dockerfiles use heredocs). */
const MIN_ENGINE_FOR_BUILDS = 23;

export interface HostPort {
  host: string;
  port: number;
  protocol: 'tcp' | 'udp';
}

export async function checkEngine(engine: Engine): Promise<{ server: string; compose: string }> {
  const v = await engine.exec(['version', '--format', '{{.Server.Version}}'], { timeoutMs: 30_000 });
  if (v.code !== 0 || !v.stdout.trim())
    throw new EngineError(
      `no Docker engine answers${process.env.DOCKER_HOST ? ` at DOCKER_HOST=${process.env.DOCKER_HOST}` : ''}`,
      `${engine.tail(v.stderr, 3)}\nstart the engine (systemctl start docker), or point DOCKER_HOST at it; a permission error means your user is not in the docker group`,
    );
  const c = await engine.exec(['compose', 'version', '--short'], { timeoutMs: 30_000 });
  const version = c.stdout.trim().replace(/^v/, '');
  const [major = 0, minor = 0] = version.split('.').map((n) => Number.parseInt(n, 10));
  if (c.code !== 0 || major < MIN_COMPOSE[0] || (major === MIN_COMPOSE[0] && minor < MIN_COMPOSE[1]))
    throw new EngineError(
      c.code !== 0
        ? 'the Docker Compose v2 plugin is missing (docker compose)'
        : `docker compose ${version} is too old`,
      `install Compose ${MIN_COMPOSE.join('.')} or later as the docker CLI plugin (package docker-compose-plugin, or Debian's docker-compose 2.x)`,
    );
  return { server: v.stdout.trim(), compose: version };
}

export function checkBuildEngine(server: string): void {
  const major = Number.parseInt(server, 10);
  if (Number.isFinite(major) && major < MIN_ENGINE_FOR_BUILDS)
    throw new EngineError(
      `Docker ${server} cannot build Slipway's Dockerfiles (they need BuildKit with heredocs)`,
      `upgrade to Docker ${MIN_ENGINE_FOR_BUILDS} or later, or build in CI and deploy with --image-tag`,
    );
}

/** `docker compose config -q` with the env file: every required secret must be set. */
export async function checkComposeFile(
  engine: Engine,
  project: ProjectRef,
  envFileShown: string,
): Promise<void> {
  const r = await engine.exec(engine.composeArgs(project, ['config', '--quiet']));
  if (r.code === 0) return;
  const missing = /required variable (\w+) is missing a value/.exec(r.stderr);
  if (missing)
    throw new UsageError(
      `the secret ${missing[1]} has no value in ${envFileShown}`,
      project.envFile
        ? `add ${missing[1]}=… to ${envFileShown} (template: .env.example from slipway render --target compose)`
        : `create ${envFileShown} from .env.example (slipway render --target compose writes it) and fill it in`,
    );
  throw new EngineError('docker compose rejected the rendered project', engine.tail(r.stderr));
}

/** Host ports the file publishes (`127.0.0.1:8080:80`, `80:80`, `443:443/udp`, long syntax). */
export function publishedPorts(compose: ComposeObject): HostPort[] {
  const out: HostPort[] = [];
  for (const svc of Object.values(compose.services)) {
    for (const p of (svc.ports as unknown[] | undefined) ?? []) {
      if (typeof p === 'object' && p !== null) {
        const o = p as { published?: string | number; host_ip?: string; protocol?: string };
        if (o.published !== undefined)
          out.push({
            host: o.host_ip ?? '0.0.0.0',
            port: Number(o.published),
            protocol: o.protocol === 'udp' ? 'udp' : 'tcp',
          });
        continue;
      }
      const [spec = '', proto] = String(p).split('/');
      const parts = spec.split(':');
      if (parts.length < 2) continue;
      const hostPort = parts.at(-2) ?? '';
      const host = parts.length >= 3 ? parts.slice(0, -2).join(':') : '0.0.0.0';
      const [from, to] = hostPort.split('-').map(Number);
      if (from === undefined || !Number.isFinite(from)) continue;
      for (let port = from; port <= (to ?? from); port++)
        out.push({ host, port, protocol: proto === 'udp' ? 'udp' : 'tcp' });
    }
  }
  return out;
}

/** Ports the project does not already publish must be free on the host. */
export async function checkPorts(
  ports: readonly HostPort[],
  ownPublished: ReadonlySet<number>,
): Promise<void> {
  const taken: string[] = [];
  for (const p of ports) {
    if (p.protocol !== 'tcp' || ownPublished.has(p.port)) continue;
    if (!(await canListen(p.host, p.port))) taken.push(`${p.host}:${p.port}`);
  }
  if (taken.length > 0)
    throw new EngineError(
      `port ${taken.join(', ')} is already in use on this host`,
      'stop what listens there (ss -ltnp shows it), or publish the proxy elsewhere with a patches.compose entry',
    );
}

function canListen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (e: NodeJS.ErrnoException) => resolve(e.code !== 'EADDRINUSE'));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Free space where images and state go; `minBytes` default 1 GiB with builds, 100 MiB without. */
export function checkDisk(paths: readonly string[], minBytes: number): void {
  for (const path of paths) {
    let free: number;
    try {
      const s = statfsSync(path);
      free = s.bavail * s.bsize;
    } catch {
      continue; // not on this host (a remote engine): nothing to check here
    }
    if (free < minBytes)
      throw new EngineError(
        `only ${(free / 2 ** 20).toFixed(0)} MiB free on ${path} (a deploy needs ${(minBytes / 2 ** 20).toFixed(0)} MiB)`,
        'free space: docker system prune removes stopped containers, unused networks and dangling images',
      );
  }
}
