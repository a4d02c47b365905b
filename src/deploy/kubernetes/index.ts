/** The kubernetes deploy driver: the CLI's deploy-family commands on a real cluster. */
import type { KubernetesObject } from '@kubernetes/client-node';
import { EngineError } from '../../cli/errors.ts';
import { json } from '../../cli/output.ts';
import { printHistory } from '../_history.ts';
import type { DeployTarget, Driver } from '../driver.ts';
import { apiCode, describeApiError, withEngineErrors } from './_api-error.ts';
import { planApply } from './apply.ts';
import {
  apiVersionsOf,
  applySetParent,
  groupKind,
  listMembers,
  liveGroupKinds,
  withMembership,
} from './applyset.ts';
import { abort, enforceScaleDowns, promote } from './blue-green.ts';
import { type Cluster, connect } from './cluster.ts';
import { CREATED_NAMESPACE, deploy, withSession } from './deploy.ts';
import { renderDesired } from './desired.ts';
import { objectDiffs } from './diff.ts';
import { detectDrift } from './drift.ts';
import { assessHealth } from './health.ts';
import { checkPrerequisites } from './prerequisites.ts';
import { deleteObjects, pruneCandidates } from './prune.ts';
import { refKey, refLabel, refOf } from './refs.ts';
import { ReleaseStore, releaseSecretName } from './release-store.ts';
import { rollback } from './rollback.ts';
import { storageBindingModes } from './wait.ts';

/** Connects and checks the cluster without changing anything (read-only commands). */
async function connectReadOnly(
  target: DeployTarget,
  context: string | undefined,
  objects: readonly KubernetesObject[] = [],
): Promise<{ cluster: Cluster; namespaceExists: boolean }> {
  const ctx = context ?? target.model.environment.context;
  const cluster = connect(ctx ? { context: ctx } : {});
  const pre = await checkPrerequisites(cluster, objects, target.model.environment.namespace);
  return { cluster, namespaceExists: pre.namespaceExists };
}

function storeOf(cluster: Cluster, target: DeployTarget): ReleaseStore {
  return new ReleaseStore(cluster, {
    app: target.model.app.name,
    environment: target.env,
    namespace: target.model.environment.namespace,
  });
}

async function membersOf(cluster: Cluster, target: DeployTarget, ...sets: (readonly KubernetesObject[])[]) {
  const parent = applySetParent(target.model.app.name, target.env, target.model.environment.namespace);
  const gks = new Set([
    ...(await liveGroupKinds(cluster, parent)),
    ...sets.flat().map((o) => groupKind({ apiVersion: o.apiVersion as string, kind: o.kind as string })),
  ]);
  return { parent, live: await listMembers(cluster, parent, gks, apiVersionsOf(...sets)) };
}

const WORKLOADS = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'Rollout',
  'PersistentVolumeClaim',
]);

export const kubernetesDriver: Driver = withEngineErrors({
  deploy,
  rollback,

  async history(target, o) {
    const { cluster, namespaceExists } = await connectReadOnly(target, o.context);
    const records = namespaceExists ? await storeOf(cluster, target).list() : [];
    const kept = o.max ? records.slice(-o.max) : records;
    printHistory(
      target.io,
      target.env,
      kept.map(({ objects: _o, app: _a, environment: _e, namespace: _n, ...summary }) => summary),
    );
    return 0;
  },

  async status(target, o) {
    const { io } = target;
    const { cluster, namespaceExists } = await connectReadOnly(target, o.context);
    // A blue-green grace period that ended while nobody ran slipway: scale the old colour down now.
    // Best-effort: status is read-only for users without write rights, and must still report.
    if (namespaceExists)
      await enforceScaleDowns(cluster, target.model).catch((e: Error & { detail?: string }) =>
        io.err(
          `warning: ${e.message}${e.detail ? ` (${e.detail})` : ''}; the next deploy, promote or abort retries\n`,
        ),
      );
    const records = namespaceExists ? await storeOf(cluster, target).list() : [];
    const current = [...records].reverse().find((r) => r.status === 'deployed');
    const latest = records.at(-1);
    const released = current?.objects ?? [];
    const { live } = await membersOf(cluster, target, released);
    const bindingModes = storageBindingModes(cluster);
    const objects = await Promise.all(
      released.map(async (r) => {
        const ref = refOf(r);
        const l = live.get(refKey(ref));
        const h = WORKLOADS.has(ref.kind)
          ? assessHealth(l, [], ref, { volumeBindingMode: l ? await bindingModes.of(l) : undefined })
          : { state: l ? 'current' : 'not-found', message: '' };
        return { object: refLabel(ref), state: h.state, message: h.message };
      }),
    );
    const drift = current ? await detectDrift(cluster, released, live) : [];
    const healthy = objects.every((x) => x.state === 'current' || x.object.startsWith('Job/'));
    if (io.format === 'json') {
      io.out(
        json({
          environment: target.env,
          namespace: target.model.environment.namespace,
          currentRevision: current?.revision ?? null,
          latest: latest
            ? { revision: latest.revision, status: latest.status, description: latest.description }
            : null,
          healthy,
          objects,
          drift,
        }),
      );
    } else {
      const lines = [
        `${target.model.app.name} ${target.env} (namespace ${target.model.environment.namespace}, context ${cluster.context})`,
        current
          ? `current revision: ${current.revision} (deployed ${current.finishedAt ?? current.startedAt} by ${current.user})`
          : 'current revision: none (never deployed)',
        ...(latest && latest.revision !== current?.revision
          ? [`latest revision: ${latest.revision} ${latest.status} — ${latest.description}`]
          : []),
        ...(objects.length > 0 ? ['objects:'] : []),
        ...objects.map((x) => `  ${x.state.padEnd(11)} ${x.object}${x.message ? `  ${x.message}` : ''}`),
        drift.length === 0
          ? current
            ? 'drift: none'
            : ''
          : `drift (changed outside Slipway; the next deploy restores it):\n${drift
              .map(
                (d) =>
                  `  ${d.object}: ${d.state === 'missing' ? 'deleted' : d.fields.join(', ')}${d.changedBy.length > 0 ? ` (by ${d.changedBy.join(', ')})` : ''}`,
              )
              .join('\n')}`,
      ].filter((l) => l !== '');
      io.out(`${lines.join('\n')}\n`);
    }
    return drift.length > 0 || !healthy ? 1 : 0;
  },

  async diff(target, o) {
    const { io } = target;
    const desired = renderDesired(target);
    const { cluster, namespaceExists } = await connectReadOnly(target, o.context, desired.objects);
    const current = namespaceExists ? await storeOf(cluster, target).current() : undefined;
    const { parent, live } = await membersOf(cluster, target, desired.objects, current?.objects ?? []);
    const objects = withMembership(desired.objects, parent);
    // Without the namespace nothing can be dry-run in it: every object is new.
    const plan = namespaceExists
      ? await planApply(cluster, objects, live, {
          forceConflicts: false,
          appliedBefore: new Map((current?.objects ?? []).map((x) => [refKey(refOf(x)), x])),
        })
      : objects.map((d) => ({
          ref: refOf(d),
          key: refKey(refOf(d)),
          desired: d,
          predicted: d,
          action: 'create' as const,
          force: false,
          drift: [],
        }));
    const deletions = pruneCandidates(live, new Set(objects.map((x) => refKey(refOf(x)))));
    const diffs = objectDiffs(plan, deletions);
    const unchanged = plan.filter((p) => p.action === 'unchanged').length;
    if (io.format === 'json') io.out(json({ environment: target.env, changes: diffs, unchanged }));
    else if (diffs.length === 0) io.out(`no changes: ${unchanged} object(s) match the cluster\n`);
    else
      io.out(
        `${diffs.map((d) => `# ${d.action} ${d.object}\n${d.diff}`).join('\n')}\n${diffs.length} object(s) would change, ${unchanged} unchanged\n`,
      );
    return diffs.length > 0 ? 1 : 0;
  },

  async down(target, o) {
    const { io } = target;
    const { cluster, namespaceExists } = await connectReadOnly(target, o.context);
    const namespace = target.model.environment.namespace;
    if (!namespaceExists) {
      io.out(`nothing to remove: namespace ${namespace} does not exist\n`);
      return 0;
    }
    return withSession(target, cluster, async (s) => {
      const records = await s.store.list();
      const { live } = await membersOf(cluster, target, ...records.map((r) => r.objects));
      // PersistentVolumeClaims hold data: kept unless --volumes.
      const keep = new Set(
        [...live].filter(([, x]) => x.kind === 'PersistentVolumeClaim' && !o.volumes).map(([k]) => k),
      );
      const gone = await deleteObjects(cluster, pruneCandidates(live, keep));
      const extra: KubernetesObject[] = [
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: s.parent.name, namespace } },
        ...records.map((r) => ({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: releaseSecretName(s.app, s.env, r.revision), namespace },
        })),
      ];
      await deleteObjects(cluster, extra);
      let nsNote = `namespace ${namespace} kept (Slipway did not create it)`;
      try {
        const ns = await cluster.core.readNamespace({ name: namespace });
        if (ns.metadata?.annotations?.[CREATED_NAMESPACE] === 'slipway') {
          if (keep.size > 0)
            nsNote = `namespace ${namespace} kept: it holds ${keep.size} volume claim(s) (--volumes deletes them)`;
          else {
            await cluster.core.deleteNamespace({ name: namespace });
            nsNote = `namespace ${namespace} deleted (Slipway created it)`;
          }
        }
      } catch (e) {
        if (apiCode(e) !== 404)
          throw new EngineError(`could not remove namespace ${namespace}`, describeApiError(e));
      }
      if (io.format === 'json')
        io.out(
          json({
            environment: s.env,
            deleted: gone.map(refLabel),
            releases: records.length,
            namespace: nsNote,
          }),
        );
      else
        io.out(
          `${s.app} ${s.env}: deleted ${gone.length} object(s) and ${records.length} release record(s); ${nsNote}\n`,
        );
      return 0;
    });
  },

  async promote(target, o) {
    const { cluster } = await connectReadOnly(target, o.context);
    return withSession(target, cluster, () =>
      promote(cluster, target.model, { io: target.io, ...(o.service ? { service: o.service } : {}) }),
    );
  },

  async abort(target, o) {
    const { cluster } = await connectReadOnly(target, o.context);
    return withSession(target, cluster, () =>
      abort(cluster, target.model, { io: target.io, ...(o.service ? { service: o.service } : {}) }),
    );
  },
});
