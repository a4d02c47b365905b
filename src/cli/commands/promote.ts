/** `slipway promote <spec> --env <e>`: switch blue-green services to the new colour now. */
import { openTarget } from '../_target.ts';
import type { Io } from '../output.ts';

export async function promoteCommand(
  spec: string,
  flags: { env?: string; context?: string; stateDir?: string; service?: string },
  io: Io,
): Promise<number> {
  const { target, driver } = await openTarget(spec, flags.env, io);
  return driver.promote(target, {
    ...(flags.context ? { context: flags.context } : {}),
    ...(flags.stateDir ? { stateDir: flags.stateDir } : {}),
    ...(flags.service ? { service: flags.service } : {}),
  });
}
