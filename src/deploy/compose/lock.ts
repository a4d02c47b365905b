/**
 * One deploy at a time per environment: a lock file created exclusively (O_EXCL), holding who
 * took it, where and when. A second deploy is refused naming the holder. A lock whose process is
 * gone (same host, pid dead or recycled: its start time differs) or that is older than the
 * staleness limit (another host, which cannot be checked) is stale: the next deploy takes it
 * over and recovers what the dead one left (see recover.ts).
 */
import {
  closeSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { EngineError } from '../../cli/errors.ts';
import { fsError } from './fs-errors.ts';

export interface LockHolder {
  pid: number;
  /** Process start time from /proc (clock ticks since boot), to tell a recycled pid apart. */
  pidStart: string;
  host: string;
  user: string;
  command: string;
  startedAt: string;
}

/** A lock from another host counts as stale after this long (a deploy never takes this long). */
export const STALE_AFTER_MS = 6 * 3600_000;

export function whoami(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    user = process.env.USER ?? 'unknown';
  }
  return `${user}@${hostname()}`;
}

export function processStart(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime), counted after the parenthesised command name, which may hold spaces.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Why a holder's lock no longer holds, or undefined when its deploy still runs. */
export function staleness(holder: LockHolder, now = Date.now()): string | undefined {
  const age = now - Date.parse(holder.startedAt);
  if (holder.host === hostname()) {
    if (!alive(holder.pid)) return `its process ${holder.pid} is gone`;
    const start = processStart(holder.pid);
    if (holder.pidStart && start && start !== holder.pidStart)
      return `its process ${holder.pid} is gone (the pid now belongs to another process)`;
    return undefined;
  }
  if (!Number.isFinite(age) || age > STALE_AFTER_MS)
    return `it is ${Math.round(age / 3600_000)} h old, from host ${holder.host}`;
  return undefined;
}

export interface Lock {
  /** The stale lock taken over, when there was one. */
  takenOver?: { holder: LockHolder; why: string };
  release(): void;
}

export function acquireLock(path: string, command: string, env: string): Lock {
  const holder: LockHolder = {
    pid: process.pid,
    pidStart: processStart(process.pid),
    host: hostname(),
    user: whoami().split('@')[0] ?? 'unknown',
    command,
    startedAt: new Date().toISOString(),
  };
  let takenOver: Lock['takenOver'];
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${JSON.stringify(holder, null, 2)}\n`);
      closeSync(fd);
      return {
        ...(takenOver ? { takenOver } : {}),
        release: () => {
          // Only our own lock: had it been taken over meanwhile, it is the new holder's now.
          if (sameHolder(readHolder(path), holder)) rmSync(path, { force: true });
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw fsError(e, path) ?? e;
    }
    const other = readHolder(path);
    if (!other && youngerThan(path, 30_000))
      throw new EngineError(`another deploy of ${env} is starting right now (${path} is being written)`);
    const why = other ? staleness(other) : 'the lock file is unreadable';
    if (why === undefined) {
      throw new EngineError(
        `another ${other?.command ?? 'deploy'} of ${env} is in progress: started ${other?.startedAt} by ${other?.user}@${other?.host} (pid ${other?.pid})`,
        `wait for it to finish (slipway history shows the result); if that process is really gone, remove ${path}`,
      );
    }
    if (!takeOver(path, other)) {
      throw new EngineError(
        `another deploy of ${env} took the stale lock ${path} over first`,
        'wait for it to finish (slipway history shows the result)',
      );
    }
    takenOver = { holder: other ?? { ...holder, pid: 0, command: 'deploy' }, why };
  }
  throw new EngineError(`could not take the deploy lock ${path}: another deploy keeps taking it`);
}

function sameHolder(a: LockHolder | undefined, b: LockHolder | undefined): boolean {
  if (!a || !b) return a === b;
  return a.pid === b.pid && a.pidStart === b.pidStart && a.host === b.host && a.startedAt === b.startedAt;
}

/**
 * Removes the stale lock `expected` (undefined: an unreadable one) so that only one of several
 * processes that judged it stale wins: each moves the file aside under its own name (a rename is
 * atomic) and checks that what it moved is the lock it judged. One that moved a newer lock (the
 * winner's) puts it back and backs off. False when another process was first.
 */
export function takeOver(path: string, expected: LockHolder | undefined): boolean {
  const aside = `${path}.stale-${process.pid}`;
  try {
    renameSync(path, aside);
  } catch (e) {
    // Gone already: another process took it over; its fresh lock decides on the next attempt.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw fsError(e, path) ?? e;
  }
  const moved = readHolder(aside);
  if (sameHolder(moved, expected)) {
    rmSync(aside, { force: true });
    return true;
  }
  try {
    linkSync(aside, path);
  } catch {
    // A third process holds the path now; the one moved aside lost its lock either way.
  }
  rmSync(aside, { force: true });
  return false;
}

function youngerThan(path: string, ms: number): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs < ms;
  } catch {
    return false;
  }
}

export function readHolder(path: string): LockHolder | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}
