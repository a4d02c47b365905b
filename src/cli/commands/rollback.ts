/** `slipway rollback <spec> --env <e> [--to N]`: a new release made from an earlier one. */
import { openTarget, parseDuration } from '../_target.ts';
import { UsageError } from '../errors.ts';
import type { Io } from '../output.ts';

export async function rollbackCommand(
  spec: string,
  flags: { env?: string; to?: string; timeout: string; context?: string; stateDir?: string },
  io: Io,
): Promise<number> {
  let to: number | undefined;
  if (flags.to !== undefined) {
    to = Number(flags.to);
    if (!Number.isInteger(to) || to < 1)
      throw new UsageError(`--to: "${flags.to}" is not a revision number`, 'slipway history lists them');
  }
  const { target, driver } = await openTarget(spec, flags.env, io);
  return driver.rollback(target, {
    timeoutSeconds: parseDuration(flags.timeout, '--timeout'),
    ...(to !== undefined ? { to } : {}),
    ...(flags.context ? { context: flags.context } : {}),
    ...(flags.stateDir ? { stateDir: flags.stateDir } : {}),
  });
}
