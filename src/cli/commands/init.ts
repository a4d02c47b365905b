/** `slipway init`: placeholder signature; implemented in its own change. */
import { UsageError } from '../errors.ts';
import type { Io } from '../output.ts';

export interface InitOptions {
  dir: string;
  file: string;
  force: boolean;
  name?: string;
}

export function initCommand(_opts: InitOptions, _io: Io): number {
  throw new UsageError('init is not available yet');
}
