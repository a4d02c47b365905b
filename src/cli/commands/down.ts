/** `slipway down <spec> --env <e>`: stop and remove the environment (volumes kept unless --volumes). */
import { openTarget } from '../_target.ts';
import type { Io } from '../output.ts';

export async function downCommand(
  spec: string,
  flags: { env?: string; context?: string; stateDir?: string; volumes: boolean },
  io: Io,
): Promise<number> {
  const { target, driver } = await openTarget(spec, flags.env, io);
  return driver.down(target, {
    ...(flags.context ? { context: flags.context } : {}),
    ...(flags.stateDir ? { stateDir: flags.stateDir } : {}),
    volumes: flags.volumes,
  });
}
