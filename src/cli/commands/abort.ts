/** `slipway abort <spec> --env <e>`: drop the new colour of blue-green services; the old one keeps serving. */
import { openTarget } from '../_target.ts';
import type { Io } from '../output.ts';

export async function abortCommand(
  spec: string,
  flags: { env?: string; context?: string; stateDir?: string; service?: string },
  io: Io,
): Promise<number> {
  const { target, driver } = await openTarget(spec, flags.env, io);
  return driver.abort(target, {
    ...(flags.context ? { context: flags.context } : {}),
    ...(flags.stateDir ? { stateDir: flags.stateDir } : {}),
    ...(flags.service ? { service: flags.service } : {}),
  });
}
