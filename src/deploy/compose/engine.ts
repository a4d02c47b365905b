/**
 * The Docker engine as the compose driver sees it: the `docker` CLI (engine, `docker compose`
 * v2, BuildKit builds) run without a shell. Every failure becomes an EngineError saying which
 * command failed, with the engine's own words (secret values masked) as its detail.
 */
import { spawn } from 'node:child_process';
import { EngineError } from '../../cli/errors.ts';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** What a compose invocation needs to find the project: name, file, folder for relative paths, env file. */
export interface ProjectRef {
  name: string;
  /** The compose file (a release's compose.yaml). */
  file: string;
  /** Folder relative paths in the file resolve against (`./Caddyfile`): the state dir's `live/`. */
  directory: string;
  /** The env file secrets are interpolated from; omitted when it does not exist. */
  envFile?: string;
}

export interface ContainerInfo {
  id: string;
  name: string;
  service: string;
  /** Compose's replica number (`com.docker.compose.container-number`). */
  number: number;
  configHash: string;
  imageId: string;
  image: string;
  state: string;
  running: boolean;
  restarting: boolean;
  exitCode: number;
  restartCount: number;
  /** `healthy`, `unhealthy`, `starting`, or `none` without a health check. */
  health: string;
  startedAt: string;
  healthLog: { exitCode: number; output: string }[];
  healthTest: string[];
  /** Host ports it publishes. */
  publishedPorts: number[];
}

export class Engine {
  /** Masks secret values in anything shown. */
  readonly redact: (s: string) => string;
  readonly bin: string;
  constructor(redact: (s: string) => string = (s) => s, bin = 'docker') {
    this.redact = redact;
    this.bin = bin;
  }

  /** Runs `docker <args>`; resolves whatever the exit code. */
  exec(args: readonly string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<CommandResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.bin, args, {
        stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout?.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
      });
      child.stderr?.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
      });
      const timer =
        opts.timeoutMs !== undefined ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
      child.on('error', (e: NodeJS.ErrnoException) => {
        if (timer) clearTimeout(timer);
        reject(
          e.code === 'ENOENT'
            ? new EngineError(
                `the docker CLI is not installed (${this.bin} not found on PATH)`,
                'install Docker Engine 23 or later with the Compose v2 plugin: https://docs.docker.com/engine/install/',
              )
            : new EngineError(`could not run docker: ${e.message}`),
        );
      });
      child.on('close', (code, signal) => {
        if (timer) clearTimeout(timer);
        resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
      });
      if (opts.input !== undefined) {
        // The command may exit before reading its input: that is its answer, not a crash here.
        child.stdin?.on('error', () => {});
        child.stdin?.end(opts.input);
      }
    });
  }

  /** Runs `docker <args>` and returns stdout; a non-zero exit is an EngineError naming `what`. */
  async run(what: string, args: readonly string[], opts: { input?: string; timeoutMs?: number } = {}) {
    const r = await this.exec(args, opts);
    if (r.code !== 0) throw new EngineError(`${what} failed`, this.tail(r.stderr || r.stdout));
    return r.stdout;
  }

  /** The last lines of engine output, secrets masked. */
  tail(text: string, lines = 15): string {
    return this.redact(text.trimEnd().split('\n').slice(-lines).join('\n'));
  }

  composeArgs(p: ProjectRef, args: readonly string[]): string[] {
    return [
      'compose',
      '--project-name',
      p.name,
      '--project-directory',
      p.directory,
      '--file',
      p.file,
      ...(p.envFile ? ['--env-file', p.envFile] : []),
      ...args,
    ];
  }

  compose(what: string, p: ProjectRef, args: readonly string[], opts: { timeoutMs?: number } = {}) {
    return this.run(what, this.composeArgs(p, args), opts);
  }

  /** Every container of the project (running or not), inspected. */
  async containers(project: string): Promise<ContainerInfo[]> {
    const ids = (
      await this.run('listing the containers', [
        'ps',
        '--all',
        '--quiet',
        '--no-trunc',
        '--filter',
        `label=com.docker.compose.project=${project}`,
      ])
    )
      .split('\n')
      .filter(Boolean);
    return this.inspect(ids);
  }

  async inspect(ids: readonly string[]): Promise<ContainerInfo[]> {
    if (ids.length === 0) return [];
    const r = await this.exec(['container', 'inspect', ...ids]);
    // A container removed between ps and inspect: inspect the survivors one by one.
    if (r.code !== 0) {
      if (ids.length === 1) return [];
      return (await Promise.all(ids.map((id) => this.inspect([id])))).flat();
    }
    return (JSON.parse(r.stdout) as RawContainer[]).map(toInfo);
  }

  async logs(id: string, lines = 20): Promise<string> {
    const r = await this.exec(['logs', '--tail', String(lines), id]);
    return this.redact(`${r.stdout}${r.stderr}`.trimEnd());
  }

  /** Stops (SIGTERM, then SIGKILL after `graceSeconds`) and removes containers. */
  async remove(ids: readonly string[], graceSeconds: number): Promise<void> {
    if (ids.length === 0) return;
    await this.exec(['stop', '--time', String(graceSeconds), ...ids]);
    await this.exec(['rm', '--force', ...ids]);
  }

  async imageId(ref: string): Promise<string | undefined> {
    const r = await this.exec(['image', 'inspect', '--format', '{{.Id}}', ref]);
    return r.code === 0 ? r.stdout.trim() : undefined;
  }
}

interface RawContainer {
  Id: string;
  Name: string;
  Image: string;
  Config: { Labels?: Record<string, string>; Image: string; Healthcheck?: { Test?: string[] } };
  HostConfig?: { PortBindings?: Record<string, { HostPort?: string }[] | null> };
  State: {
    Status: string;
    Running: boolean;
    Restarting: boolean;
    ExitCode: number;
    StartedAt: string;
    Health?: { Status: string; Log?: { ExitCode: number; Output: string }[] };
  };
  RestartCount: number;
}

function toInfo(c: RawContainer): ContainerInfo {
  const labels = c.Config.Labels ?? {};
  return {
    id: c.Id,
    name: c.Name.replace(/^\//, ''),
    service: labels['com.docker.compose.service'] ?? '',
    number: Number(labels['com.docker.compose.container-number'] ?? 0),
    configHash: labels['com.docker.compose.config-hash'] ?? '',
    imageId: c.Image,
    image: c.Config.Image,
    state: c.State.Status,
    running: c.State.Running,
    restarting: c.State.Restarting,
    exitCode: c.State.ExitCode,
    restartCount: c.RestartCount,
    health: c.State.Health?.Status ?? 'none',
    startedAt: c.State.StartedAt,
    healthLog: (c.State.Health?.Log ?? []).map((l) => ({ exitCode: l.ExitCode, output: l.Output })),
    healthTest: c.Config.Healthcheck?.Test ?? [],
    publishedPorts: Object.values(c.HostConfig?.PortBindings ?? {})
      .flatMap((b) => b ?? [])
      .map((b) => Number(b.HostPort))
      .filter((n) => Number.isFinite(n) && n > 0),
  };
}
