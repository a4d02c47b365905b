/**
 * Filesystem failures on the state folder (permissions, a full or read-only disk, a file where a
 * folder should be) as EngineErrors naming the path and what to do — exit 3 with a hint, not an
 * "internal error" with a stack trace. Anything else is left as it is.
 */
import { EngineError } from '../../cli/errors.ts';

const HINTS: Record<string, [string, string]> = {
  EACCES: [
    'permission denied',
    'run as the user who owns the state folder, fix its permissions, or pick another with --state-dir / $SLIPWAY_STATE_DIR',
  ],
  EPERM: [
    'operation not permitted',
    'run as the user who owns the state folder, fix its permissions, or pick another with --state-dir / $SLIPWAY_STATE_DIR',
  ],
  ENOSPC: [
    'the disk is full',
    'free space (docker system prune removes unused images) and run the command again',
  ],
  EDQUOT: ['the disk quota is exceeded', 'free space in your quota and run the command again'],
  EROFS: [
    'the filesystem is read-only',
    'pick a writable state folder with --state-dir or $SLIPWAY_STATE_DIR',
  ],
  ENOTDIR: [
    'a file stands where a folder is expected',
    'move that file away, or pick another state folder with --state-dir',
  ],
  EISDIR: [
    'a folder stands where a file is expected',
    'move that folder away, or pick another state folder with --state-dir',
  ],
};

/** The EngineError for a filesystem failure, or undefined when `e` is not one. */
export function fsError(e: unknown, path?: string): EngineError | undefined {
  const err = e as NodeJS.ErrnoException;
  const hint = err && typeof err === 'object' ? HINTS[err.code ?? ''] : undefined;
  if (!hint) return undefined;
  const where = path ?? err.path ?? 'the state folder';
  return new EngineError(`could not ${err.syscall ?? 'use'} ${where}: ${hint[0]} (${err.code})`, hint[1]);
}

/** `e` as an EngineError when it is a filesystem failure, else unchanged. */
export function asEngineError(e: unknown): unknown {
  return fsError(e) ?? e;
}

/** Runs `fn`; a filesystem failure it throws becomes an EngineError. */
export async function withFsErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw asEngineError(e);
  }
}
