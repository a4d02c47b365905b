/** `slipway deploy <spec> --env <e>`: build, apply and wait for health; roll back when it fails. */
import { openTarget, parseDuration } from '../_target.ts';
import type { Io } from '../output.ts';

export interface DeployFlags {
  env?: string;
  imageTag?: string;
  registry?: string;
  timeout: string;
  atomic: boolean;
  forceConflicts: boolean;
  description?: string;
  context?: string;
  stateDir?: string;
}

export async function deployCommand(spec: string, flags: DeployFlags, io: Io): Promise<number> {
  const { target, driver } = await openTarget(spec, flags.env, io);
  return driver.deploy(target, {
    timeoutSeconds: parseDuration(flags.timeout, '--timeout'),
    atomic: flags.atomic,
    forceConflicts: flags.forceConflicts,
    ...(flags.imageTag ? { imageTag: flags.imageTag } : {}),
    ...(flags.registry ? { registry: flags.registry } : {}),
    ...(flags.description ? { description: flags.description } : {}),
    ...(flags.context ? { context: flags.context } : {}),
    ...(flags.stateDir ? { stateDir: flags.stateDir } : {}),
  });
}
