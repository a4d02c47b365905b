/**
 * `slipway deploy <spec> --env <e>`: verify, then build, apply and wait for health; roll back
 * when it fails. A render that fails verification (schema errors, removed APIs, audit errors) is
 * refused with exit 1 before any engine is touched.
 */
import { join } from 'node:path';
import { openTarget, parseDuration } from '../_target.ts';
import { verifyOne } from '../_verify.ts';
import { findingToReportable, formatDiagnostics, type Io, json } from '../output.ts';

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
  const timeoutSeconds = parseDuration(flags.timeout, '--timeout');
  const { target, driver } = await openTarget(spec, flags.env, io);
  const verdict = verifyOne(target.loaded, target.env, 'deploy');
  const errors = verdict.findings.filter((f) => f.severity === 'error');
  if (errors.length > 0) {
    if (io.format === 'json') io.out(json({ deployed: false, environment: target.env, findings: errors }));
    else
      io.err(
        `${formatDiagnostics(
          errors.map((f) => findingToReportable(f, join('deploy', target.env))),
          io,
        )}\n\nnothing was deployed: the render of ${target.env} fails verification (slipway verify shows the same)\n`,
      );
    return 1;
  }
  return driver.deploy(target, {
    timeoutSeconds,
    atomic: flags.atomic,
    forceConflicts: flags.forceConflicts,
    ...(flags.imageTag ? { imageTag: flags.imageTag } : {}),
    ...(flags.registry ? { registry: flags.registry } : {}),
    ...(flags.description ? { description: flags.description } : {}),
    ...(flags.context ? { context: flags.context } : {}),
    ...(flags.stateDir ? { stateDir: flags.stateDir } : {}),
  });
}
