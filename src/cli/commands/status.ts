/** `slipway status <spec> --env <e>`: per service: release, health, uptime; and drift from the last release. */
import { openTarget } from '../_target.ts';
import type { Io } from '../output.ts';

export async function statusCommand(
  spec: string,
  flags: { env?: string; context?: string; stateDir?: string },
  io: Io,
): Promise<number> {
  const { target, driver } = await openTarget(spec, flags.env, io);
  return driver.status(target, {
    ...(flags.context ? { context: flags.context } : {}),
    ...(flags.stateDir ? { stateDir: flags.stateDir } : {}),
  });
}
