/** Writing Dockerfile instructions safely: exec forms as JSON, values escaped, one instruction per line. */
import type { HealthModel, PortModel, ServiceModel } from '../../model/types.ts';
import { healthTimings, type ProbeRuntime, probeTest } from './health.ts';

/** `["a", "b"]`: the JSON exec form, which Docker neither splits nor expands. */
export function json(args: readonly string[]): string {
  return `[${args.map((a) => JSON.stringify(a)).join(', ')}]`;
}

/** A command the spec wrote as a string: split into an exec form when it is plain words, else run by sh. */
export function commandArgs(command: string): string[] {
  const plain = /^[\w./:=@%+,-]+(?:[ \t]+[\w./:=@%+,-]+)*$/;
  const c = command.trim();
  return plain.test(c) ? c.split(/[ \t]+/) : ['/bin/sh', '-c', c];
}

/** `RUN <command>` in shell form, unless the command would break the line structure. */
export function run(command: string): string {
  const c = command.trim();
  return /[\r\n]|\\$/.test(c) ? `RUN ${json(['/bin/sh', '-c', c])}` : `RUN ${c}`;
}

/** A value for ENV or ARG: double-quoted, with Dockerfile substitution and quoting disabled. */
export function quote(value: string): string {
  return `"${value.replace(/[\\"$]/g, (c) => `\\${c}`).replace(/\r?\n/g, '\\n')}"`;
}

/** A POSIX shell single-quoted word. */
export function shellWord(value: string): string {
  return /^[\w./:=@%+,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

export function expose(ports: readonly PortModel[]): string[] {
  return ports.length > 0
    ? [`EXPOSE ${ports.map((p) => `${p.port}/${p.protocol.toLowerCase()}`).join(' ')}`]
    : [];
}

export function healthcheck(runtime: ProbeRuntime, health: HealthModel | undefined): string[] {
  if (!health) return [];
  const t = healthTimings(health);
  const test = probeTest(runtime, health.check, t.timeoutSeconds);
  // A shell probe (CMD-SHELL) stays a shell form; anything else is an exec form.
  const cmd = test[0] === 'CMD-SHELL' ? (test[1] ?? '') : json(test.slice(1));
  return [
    `HEALTHCHECK --interval=${t.intervalSeconds}s --timeout=${t.timeoutSeconds}s --start-period=${t.startPeriodSeconds}s --start-interval=${t.startIntervalSeconds}s --retries=${t.retries} \\`,
    `  CMD ${cmd}`,
  ];
}

/** Build arguments: declared with the spec's values as defaults, so a plain `docker build` matches compose. */
export function buildArgs(svc: ServiceModel): string[] {
  return Object.entries(svc.build?.args ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `ARG ${k}=${quote(v)}`);
}

/** The user every stage that runs app code switches to: the model's, numeric (no passwd entry needed). */
export function user(svc: ServiceModel): string {
  return `${svc.runAsUser}:${svc.runAsUser}`;
}
