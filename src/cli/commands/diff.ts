/** `slipway diff <spec> --env <e>`: what a deploy would change, per object (exit 1 when it would change something). */
import { openTarget } from '../_target.ts';
import type { Io } from '../output.ts';

export async function diffCommand(
  spec: string,
  flags: { env?: string; context?: string; stateDir?: string },
  io: Io,
): Promise<number> {
  const { target, driver } = await openTarget(spec, flags.env, io);
  return driver.diff(target, {
    ...(flags.context ? { context: flags.context } : {}),
    ...(flags.stateDir ? { stateDir: flags.stateDir } : {}),
  });
}
