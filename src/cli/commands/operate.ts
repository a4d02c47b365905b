/**
 * The operate family, one driver call each, on one environment:
 *   slipway history <spec> --env <e> [--max n]   the releases, newest first
 *   slipway status  <spec> --env <e>             per service release, health, uptime; drift
 *   slipway diff    <spec> --env <e>             what a deploy would change (exit 1 when something)
 *   slipway down    <spec> --env <e> [--volumes] stop and remove; volumes kept unless asked
 *   slipway promote|abort <spec> --env <e> [--service s]   decide a waiting blue-green switch
 */
import type { EngineOptions } from '../../deploy/driver.ts';
import { openTarget } from '../_target.ts';
import { UsageError } from '../errors.ts';
import type { Io } from '../output.ts';

export type OperateMethod = 'history' | 'status' | 'diff' | 'down' | 'promote' | 'abort';

export interface OperateFlags {
  env?: string;
  context?: string;
  stateDir?: string;
  max?: string;
  volumes?: boolean;
  service?: string;
}

export async function operateCommand(
  method: OperateMethod,
  spec: string,
  flags: OperateFlags,
  io: Io,
): Promise<number> {
  const max = flags.max === undefined ? undefined : Number(flags.max);
  if (max !== undefined && !(Number.isInteger(max) && max >= 1))
    throw new UsageError(`--max: "${flags.max}" is not a positive whole number`);
  const { target, driver } = await openTarget(spec, flags.env, io);
  const engine: EngineOptions = {
    ...(flags.context ? { context: flags.context } : {}),
    ...(flags.stateDir ? { stateDir: flags.stateDir } : {}),
  };
  switch (method) {
    case 'history':
      return driver.history(target, { ...engine, ...(max !== undefined ? { max } : {}) });
    case 'down':
      return driver.down(target, { ...engine, volumes: flags.volumes ?? false });
    case 'promote':
    case 'abort':
      return driver[method](target, { ...engine, ...(flags.service ? { service: flags.service } : {}) });
    case 'status':
    case 'diff':
      return driver[method](target, engine);
  }
}
