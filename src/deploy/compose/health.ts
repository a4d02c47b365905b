/**
 * Waiting for new containers to serve, and saying precisely why they did not: the container that
 * failed, the check that failed with its last result, and its last log lines (secrets masked).
 * A container with a health check must report healthy; one without must keep running; one that
 * exits or restarts has crashed, which ends the wait at once.
 */
import { EngineError } from '../../cli/errors.ts';
import type { ContainerInfo, Engine } from './engine.ts';
import { asEngineError } from './fs-errors.ts';

export interface Failure {
  service: string;
  container?: string;
  /** What went wrong, in one line. */
  reason: string;
  /** The health check command, when one failed. */
  check?: string;
  /** Its last result: exit code and output. */
  lastResult?: string;
  /** The container's last log lines. */
  logs?: string;
  /** What a failed docker command printed (secrets masked). */
  output?: string;
}

/**
 * A docker command that failed mid-rollout (a bad image tag, a bind mount that cannot be made),
 * as a Failure: it takes the same path as an unhealthy container, so the previous release comes
 * back and the record ends rolled-back or failed, never pending. So does a filesystem failure
 * (a full disk while the proxy's file is written); anything else is rethrown.
 */
export function commandFailure(service: string, caught: unknown): Failure {
  const e = asEngineError(caught);
  if (!(e instanceof EngineError)) throw e;
  return { service, reason: e.message, ...(e.detail ? { output: e.detail } : {}) };
}

const POLL_MS = 400;
/** A container without a health check counts as up once it has run this long without a restart. */
const STABLE_MS = 2000;

export async function waitHealthy(
  engine: Engine,
  service: string,
  ids: readonly string[],
  deadline: number,
): Promise<Failure | undefined> {
  for (;;) {
    const infos = await engine.inspect(ids);
    if (infos.length < ids.length)
      return { service, reason: 'a new container disappeared while starting (removed by someone else?)' };
    let pending: ContainerInfo | undefined;
    for (const c of infos) {
      if (!c.running && !c.restarting)
        return describe(engine, c, `container ${c.name} exited (exit code ${c.exitCode})`);
      if (c.restarting || c.restartCount > 0)
        return describe(
          engine,
          c,
          `container ${c.name} crashed and is restarting (${Math.max(1, c.restartCount)} restart(s)${c.exitCode ? `, exit code ${c.exitCode}` : ''})`,
        );
      if (c.health === 'unhealthy') return describe(engine, c, `container ${c.name} is unhealthy`);
      if (c.health === 'healthy') continue;
      if (c.health === 'none' && Date.now() - Date.parse(c.startedAt) >= STABLE_MS) continue;
      pending = c;
    }
    if (!pending) return undefined;
    if (Date.now() >= deadline) {
      const seconds = Math.max(0, Math.round((Date.now() - Date.parse(pending.startedAt)) / 1000));
      return describe(
        engine,
        pending,
        `container ${pending.name} was not healthy ${seconds} s after it started`,
      );
    }
    await sleep(POLL_MS);
  }
}

export async function describe(engine: Engine, c: ContainerInfo, reason: string): Promise<Failure> {
  const last = c.healthLog.at(-1);
  return {
    service: c.service,
    container: c.name,
    reason,
    ...(c.healthTest.length > 0 && c.healthTest[0] !== 'NONE' ? { check: checkText(c.healthTest) } : {}),
    ...(last
      ? {
          lastResult: engine.redact(
            `exit ${last.exitCode}${last.output.trim() ? `: ${last.output.trim()}` : ''}`,
          ),
        }
      : {}),
    logs: await engine.logs(c.id),
  };
}

/** `["CMD", "node", "-e", "…"]` → `node -e …`; `["CMD-SHELL", "…"]` → the shell line. */
export function checkText(test: readonly string[]): string {
  const [kind, ...rest] = test;
  return kind === 'CMD-SHELL' ? rest.join(' ') : kind === 'CMD' ? rest.join(' ') : test.join(' ');
}

/** The failure as the person deploying reads it. */
export function formatFailure(f: Failure): string {
  const lines = [`service ${f.service}: ${f.reason}`];
  if (f.check) lines.push(`  check: ${f.check}`);
  if (f.lastResult) lines.push(`  last result: ${f.lastResult.split('\n').slice(0, 5).join('\n    ')}`);
  if (f.logs !== undefined)
    lines.push(
      `  last log lines of ${f.container ?? f.service}:`,
      ...(f.logs ? f.logs.split('\n').map((l) => `    ${l}`) : ['    (no output)']),
    );
  if (f.output) lines.push('  docker said:', ...f.output.split('\n').map((l) => `    ${l}`));
  return lines.join('\n');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
