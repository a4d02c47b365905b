/**
 * `slipway rollback [--to N]`: a new revision made of an earlier revision's objects (like Helm), so
 * history only ever grows. Default target: the newest revision before the current one that was
 * deployed successfully (status superseded). Hook Jobs are not run again.
 */
import { EngineError, UsageError } from '../../cli/errors.ts';
import type { DeployTarget, RollbackOptions } from '../driver.ts';
import { connectChecked, printOutcome, runRelease, withSession } from './deploy.ts';
import { checkPrerequisites } from './prerequisites.ts';
import type { ReleaseRecord } from './release-store.ts';

/** The revision to go back to (pure). */
export function rollbackTarget(records: readonly ReleaseRecord[], to: number | undefined): ReleaseRecord {
  if (records.length === 0)
    throw new UsageError('there is no release to roll back to', 'slipway deploy creates the first one');
  if (to !== undefined) {
    const r = records.find((x) => x.revision === to);
    if (!r)
      throw new UsageError(
        `revision ${to} is not in the history`,
        `revisions kept: ${records.map((x) => x.revision).join(', ')} (slipway history lists them)`,
      );
    if (r.status === 'failed' || r.status === 'pending')
      throw new UsageError(
        `revision ${to} ${r.status === 'failed' ? 'failed' : 'never finished'}: rolling back to it would fail again`,
        'pick a revision that was deployed (slipway history)',
      );
    return r;
  }
  const current = [...records].reverse().find((r) => r.status === 'deployed');
  const before = [...records]
    .reverse()
    .find((r) => r.status === 'superseded' && (!current || r.revision < current.revision));
  if (!before)
    throw new UsageError(
      'no earlier successful revision to roll back to',
      'slipway history lists the revisions; --to N picks one',
    );
  return before;
}

export async function rollback(target: DeployTarget, o: RollbackOptions): Promise<number> {
  // The revision is only known inside the session: its kinds are checked there, before applying.
  const cluster = await connectChecked(target, o.context, [], { createNamespace: false });
  return withSession(target, cluster, async (s) => {
    const from = rollbackTarget(await s.store.list(), o.to);
    if (from.objects.length === 0) throw new EngineError(`revision ${from.revision} recorded no objects`);
    // A CRD removed since that revision (Argo Rollouts, cert-manager…): refuse before changing anything.
    await checkPrerequisites(s.cluster, from.objects, s.namespace);
    target.io.err(`rolling back to revision ${from.revision} (${from.description})\n`);
    return printOutcome(
      s,
      await runRelease(s, {
        objects: from.objects,
        images: from.images,
        specHash: from.specHash,
        description: `rollback to ${from.revision}`,
        hooks: false,
        atomic: true,
        timeoutSeconds: o.timeoutSeconds,
        forceConflicts: true,
      }),
    );
  });
}
