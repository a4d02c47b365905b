/** `slipway history <spec> --env <e>`: the releases of an environment, newest first. */
import { openTarget } from '../_target.ts';
import type { Io } from '../output.ts';

export async function historyCommand(
  spec: string,
  flags: { env?: string; context?: string; stateDir?: string; max?: string },
  io: Io,
): Promise<number> {
  const { target, driver } = await openTarget(spec, flags.env, io);
  return driver.history(target, {
    ...(flags.context ? { context: flags.context } : {}),
    ...(flags.stateDir ? { stateDir: flags.stateDir } : {}),
    ...(flags.max ? { max: Number(flags.max) } : {}),
  });
}
