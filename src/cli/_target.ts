/** Loading the one environment a deploy-family command acts on, and its engine's driver. */

import type { DeployTarget, Driver } from '../deploy/driver.ts';
import { driverFor } from '../deploy/index.ts';
import { resolveEnvironment } from '../model/resolve.ts';
import { loadOrThrow, pickEnvironments } from './_load.ts';
import { UsageError } from './errors.ts';
import type { Io } from './output.ts';

export async function openTarget(
  specPath: string,
  env: string | undefined,
  io: Io,
): Promise<{ target: DeployTarget; driver: Driver }> {
  const { loaded } = loadOrThrow(specPath, io);
  if (env === undefined) {
    const all = Object.keys(loaded.spec.environments);
    if (all.length !== 1)
      throw new UsageError('which environment? --env is required', `environments: ${all.join(', ')}`);
  }
  const [name] = pickEnvironments(loaded, env ?? Object.keys(loaded.spec.environments)[0]);
  if (name === undefined) throw new UsageError('no environment to act on');
  const model = resolveEnvironment(loaded.spec, name);
  const driver = await driverFor(model.environment.target);
  return { target: { loaded, model, env: name, specPath, io }, driver };
}

/** `90`, `90s`, `5m`, `1h` → seconds. */
export function parseDuration(text: string, flag: string): number {
  const m = /^(\d+)(s|m|h)?$/.exec(text.trim());
  if (!m)
    throw new UsageError(`${flag}: "${text}" is not a duration`, 'write seconds or a unit: 90, 90s, 5m, 1h');
  const n = Number(m[1]);
  return m[2] === 'h' ? n * 3600 : m[2] === 'm' ? n * 60 : n;
}
