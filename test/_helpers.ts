/** Running the built CLI as users do: the repo's Node, real files, exit code, output and wall time. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const NODE = join(process.cwd(), 'node_modules/.bin/node');
export const BIN = join(process.cwd(), 'bin/slipway.js');

export interface CliRun {
  /** Exit code; null when the process was killed (by the timeout, or a signal). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time of the whole process, start to exit. */
  ms: number;
}

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Kill the process after this long, so a hang fails the test instead of stalling the suite. */
  timeoutMs?: number;
  /** Run as another user (when the tests run as root). */
  uid?: number;
  gid?: number;
}

export function runCli(args: string[], opts: CliOptions = {}): CliRun {
  const started = performance.now();
  const r = spawnSync(NODE, [BIN, ...args], {
    cwd: opts.cwd ?? process.cwd(),
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', SLIPWAY_DEBUG: '', ...opts.env },
    timeout: opts.timeoutMs ?? 20_000,
    maxBuffer: 256 * 1024 * 1024,
    ...(opts.uid !== undefined ? { uid: opts.uid } : {}),
    ...(opts.gid !== undefined ? { gid: opts.gid } : {}),
  });
  const ms = performance.now() - started;
  if (r.error && (r.error as NodeJS.ErrnoException).code !== 'ETIMEDOUT') throw r.error;
  return { code: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '', ms };
}

/** 1-based line and column of a string offset, as the loader counts them (lines end at \n). */
export function positionOf(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - (before.lastIndexOf('\n') + 1) + 1 };
}
