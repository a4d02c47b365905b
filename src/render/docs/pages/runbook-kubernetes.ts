/**
 * The runbook of a Kubernetes environment: deploy, roll back, back up and restore, recover from
 * disaster, troubleshoot — every command with this app's real object names, namespace and context,
 * taken from the rendered objects.
 */
import { posix } from 'node:path';
import type { DependencyModel, ServiceModel } from '../../../model/types.ts';
import type { KubeObject } from '../../kubernetes/index.ts';
import { toYaml } from '../../yaml.ts';
import type { EnvContext } from '../context.ts';
import {
  kubeName,
  objectFile,
  objectsOf,
  objectsOfKind,
  podSelector,
  ref,
  usersOf,
  workloads,
} from '../context.ts';
import { blocks, bullets, code, duration, ic, plural, table } from '../format.ts';
import { link } from '../page.ts';
import { replicaRange } from '../sizing.ts';
import { backupFacts, objectStoreCredentials, objectStoreSecretCommand } from '../summary.ts';
import { hostsOf } from '../topology.ts';
import { dataSection, disasterRecoverySection, healthUrls, type RunbookParts } from './runbook-shared.ts';

const argo = (ctx: EnvContext, verb: string, name: string) =>
  `kubectl argo rollouts ${verb} ${name} -n ${ctx.model.environment.namespace}${ctx.model.environment.context ? ` --context ${ctx.model.environment.context}` : ''}`;

/** The long-running services' workload objects (Deployments, Rollouts), in service order. */
function longRunning(ctx: EnvContext): { s: ServiceModel; objects: KubeObject[] }[] {
  return ctx.model.services
    .filter((s) => s.kind === 'web' || s.kind === 'worker')
    .map((s) => ({
      s,
      objects: workloads(ctx, s).filter((o) => o.kind === 'Deployment' || o.kind === 'Rollout'),
    }));
}

/** Colour-switched blue-green (no Argo): the active colour is the one the Service selects. */
function colorSwitched(ctx: EnvContext, s: ServiceModel): boolean {
  return workloads(ctx, s).some((o) => o.metadata.labels?.['slipway.dev/color'] !== undefined);
}

function activeColorCmd(ctx: EnvContext, s: ServiceModel): string {
  return `COLOR=$(${ctx.kube?.kubectl} get service ${kubeName(ctx, s.name)} -o jsonpath='{.spec.selector.slipway\\.dev/color}')`;
}

/** How rolling updates replace pods, per the services' rollout settings. */
function rollingText(ctx: EnvContext): string {
  const rolling = ctx.model.services.filter(
    (s) => (s.kind === 'web' || s.kind === 'worker') && s.rollout.strategy === 'rolling',
  );
  if (rolling.length === 0) return 'every long-running service is blue-green';
  const settings = new Map<string, string[]>();
  for (const s of rolling) {
    const k = `maxSurge ${s.rollout.maxSurge}, maxUnavailable ${s.rollout.maxUnavailable}`;
    settings.set(k, [...(settings.get(k) ?? []), s.name]);
  }
  const text = [...settings]
    .map(([k, names]) => (settings.size === 1 ? k : `${names.join(', ')}: ${k}`))
    .join('; ');
  const safe = rolling.every((s) => s.rollout.maxUnavailable === 0 || s.rollout.maxUnavailable === '0%');
  return `rolling updates (${text})${safe ? ', so a serving pod is never taken away before its replacement is ready' : ''}`;
}

function deploySection(ctx: EnvContext): string {
  const k = ctx.kube;
  if (!k) return '';
  const m = ctx.model;
  const on = m.environment.deployOn;
  const hooks = m.services.filter((s) => s.hook).sort((a, b) => (a.hook?.order ?? 0) - (b.hook?.order ?? 0));
  const pre = hooks.filter((s) => s.hook?.phase === 'pre-deploy');
  const post = hooks.filter((s) => s.hook?.phase === 'post-deploy');
  const watch: string[] = [];
  for (const { s, objects } of longRunning(ctx)) {
    if (colorSwitched(ctx, s)) {
      watch.push(
        activeColorCmd(ctx, s),
        `${k.kubectl} rollout status deployment/${kubeName(ctx, s.name)}-$COLOR --timeout=10m`,
      );
      continue;
    }
    for (const o of objects)
      watch.push(
        o.kind === 'Rollout'
          ? argo(ctx, 'status', o.metadata.name)
          : `${k.kubectl} rollout status ${ref(o)} --timeout=10m`,
      );
  }
  const manual = m.services.filter((s) => s.rollout.strategy === 'blue-green' && !s.rollout.autoPromote);
  const rollouts = objectsOfKind(ctx, 'Rollout');
  const promote = manual.flatMap((s) => {
    const r = rollouts.find((o) => o.metadata.name === kubeName(ctx, s.name));
    const port = s.ports[0]?.port ?? 80;
    const lines = [
      `${k.kubectl} port-forward service/${kubeName(ctx, s.name)}-preview 18080:${port} & sleep 2`,
      `curl -fsS http://127.0.0.1:18080${s.rollout.previewPath ?? '/'}   # the new version, before anyone sees it`,
      'kill %1',
    ];
    return r ? [`# ${s.name}`, ...lines, argo(ctx, 'promote', r.metadata.name)] : [`# ${s.name}`, ...lines];
  });
  const smoke = healthUrls(ctx).map((u) => `curl -fsS ${u}`);
  return blocks(
    '## Deploy',
    on?.branch || on?.tag
      ? `CI deploys this environment on every push to ${on.branch ? `branch ${ic(on.branch)}` : `tags ${ic(on.tag ?? '')}`}${m.environment.approval ? ', after a person approves it' : ''}. By hand:`
      : `Deployed by hand${m.environment.approval ? ', after a person approves it' : ''}:`,
    code(
      'sh',
      [
        `slipway plan ${ctx.specPath} --env ${ctx.name}     # render into ${ctx.outDir}/ and verify`,
        `kubectl${m.environment.context ? ` --context ${m.environment.context}` : ''} diff -f ${ctx.outDir}/kubernetes/   # what will change in the cluster`,
        `slipway deploy ${ctx.specPath} --env ${ctx.name}`,
      ].join('\n'),
    ),
    bullets([
      ...(pre.length
        ? [
            `Pre-deploy hooks run to completion first, in order: ${pre.map((s) => `${ic(s.name)} (up to ${duration(s.hook?.deadlineSeconds ?? 0)}, ${plural(s.hook?.retries ?? 0, 'retry', 'retries')})`).join(', ')}. If one fails, nothing else changes.`,
          ]
        : []),
      `${pre.length ? 'Then the' : 'The'} workloads roll out: ${rollingText(ctx)}.`,
      ...(m.services.some((s) => s.rollout.strategy === 'blue-green')
        ? [
            `Blue-green: ${m.services
              .filter((s) => s.rollout.strategy === 'blue-green')
              .map(
                (s) =>
                  `${ic(s.name)} ${rollouts.some((r) => r.metadata.name === kubeName(ctx, s.name)) ? `(Argo Rollout; ${s.rollout.autoPromote ? 'promoted automatically' : '**promoted by a person**'}, old colour kept ${duration(s.rollout.scaleDownDelaySeconds)})` : '(two Deployments; slipway deploy switches the Service)'}`,
              )
              .join(', ')}.`,
          ]
        : []),
      ...(post.length ? [`Post-deploy hooks run last: ${post.map((s) => ic(s.name)).join(', ')}.`] : []),
    ]),
    'Watch it converge:',
    code('sh', [`${k.kubectl} get pods -l app.kubernetes.io/instance=${m.app.name} -w`, ...watch].join('\n')),
    promote.length ? 'Check the preview, then promote it:' : undefined,
    promote.length ? code('sh', promote.join('\n')) : undefined,
    smoke.length ? 'Smoke test:' : undefined,
    smoke.length ? code('sh', smoke.join('\n')) : undefined,
  );
}

function rollbackSection(ctx: EnvContext): string {
  const k = ctx.kube;
  if (!k) return '';
  const undo: string[] = [];
  for (const { s, objects } of longRunning(ctx)) {
    if (colorSwitched(ctx, s)) continue;
    for (const o of objects)
      if (o.kind === 'Rollout')
        undo.push(
          `${argo(ctx, 'abort', o.metadata.name)}   # during a blue-green deploy, before promotion`,
          argo(ctx, 'undo', o.metadata.name),
        );
      else undo.push(`${k.kubectl} rollout undo ${ref(o)}`);
  }
  const hooks = ctx.model.services.filter((s) => s.hook);
  return blocks(
    '## Roll back',
    code(
      'sh',
      [
        `slipway history ${ctx.specPath} --env ${ctx.name}            # releases, newest first`,
        `slipway rollback ${ctx.specPath} --env ${ctx.name} --to <N>  # back to release N`,
      ].join('\n'),
    ),
    bullets([
      ...(hooks.length
        ? [
            `A rollback does not undo what hooks did: ${hooks.map((s) => ic(s.name)).join(', ')} ${hooks.length === 1 ? 'has' : 'have'} already run against the data. Keep migrations backward compatible (expand, then contract) so the previous release still works on the new schema.`,
          ]
        : []),
      'It does not restore data: for that, see [Back up and restore](#back-up-and-restore).',
      'Secrets are not versioned: a rotated secret stays rotated.',
    ]),
    undo.length
      ? blocks(
          'Break-glass, when Slipway itself cannot run (the cluster keeps the previous ReplicaSets):',
          code('sh', undo.join('\n')),
          'The next `slipway deploy` re-applies the spec: pin the good version (`images.tag`) in the spec before deploying again.',
        )
      : undefined,
  );
}

/** Stop and restart the services that write to a dependency (for a restore). */
function writers(ctx: EnvContext, dep: string): { stop: string[]; start: string[] } {
  const k = ctx.kube;
  const stop: string[] = [];
  const start: string[] = [];
  if (!k) return { stop, start };
  for (const name of usersOf(ctx.model, dep)) {
    const s = ctx.model.services.find((x) => x.name === name);
    if (!s) continue;
    if (s.kind === 'cron') {
      for (const o of workloads(ctx, s)) {
        stop.push(`${k.kubectl} patch ${ref(o)} -p '{"spec":{"suspend":true}}'`);
        start.push(`${k.kubectl} patch ${ref(o)} -p '{"spec":{"suspend":false}}'`);
      }
      continue;
    }
    if (s.kind === 'job') continue;
    const scaled = objectsOf(ctx, s.name, ['ScaledObject'])[0];
    if (scaled) {
      stop.push(
        `${k.kubectl} annotate scaledobject/${scaled.metadata.name} autoscaling.keda.sh/paused-replicas=0 --overwrite`,
      );
      start.push(
        `${k.kubectl} annotate scaledobject/${scaled.metadata.name} autoscaling.keda.sh/paused-replicas-`,
      );
      continue;
    }
    const n = replicaRange(ctx.model, s).min;
    if (colorSwitched(ctx, s)) {
      stop.push(
        activeColorCmd(ctx, s),
        `${k.kubectl} scale deployment/${kubeName(ctx, s.name)}-$COLOR --replicas=0`,
      );
      start.push(
        activeColorCmd(ctx, s),
        `${k.kubectl} scale deployment/${kubeName(ctx, s.name)}-$COLOR --replicas=${n}`,
      );
      continue;
    }
    for (const o of workloads(ctx, s)) {
      stop.push(`${k.kubectl} scale ${ref(o)} --replicas=0`);
      start.push(`${k.kubectl} scale ${ref(o)} --replicas=${n}`);
    }
  }
  return { stop, start };
}

function readerPod(ctx: EnvContext, claim: string, image: string): string {
  const name = `${ctx.model.app.name}-backup-reader`.slice(0, 63);
  return [
    `${ctx.kube?.kubectl} apply -f - <<'EOF'`,
    toYaml({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name },
      spec: {
        securityContext: {
          runAsNonRoot: true,
          runAsUser: 999,
          runAsGroup: 999,
          fsGroup: 999,
          seccompProfile: { type: 'RuntimeDefault' },
        },
        containers: [
          {
            name: 'reader',
            image,
            command: ['sleep', '3600'],
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            volumeMounts: [{ name: 'backups', mountPath: '/backups' }],
          },
        ],
        volumes: [{ name: 'backups', persistentVolumeClaim: { claimName: claim } }],
      },
    }).trimEnd(),
    'EOF',
    `${ctx.kube?.kubectl} wait --for=condition=Ready pod/${name} --timeout=5m`,
    `${ctx.kube?.kubectl} exec ${name} -- ls -lt /backups`,
    `${ctx.kube?.kubectl} cp ${ctx.model.environment.namespace}/${name}:/backups/<file>.dump ./<file>.dump${ctx.model.environment.context ? ` --context ${ctx.model.environment.context}` : ''}`,
    `${ctx.kube?.kubectl} delete pod/${name}`,
  ].join('\n');
}

function selfHostedPostgres(ctx: EnvContext, d: DependencyModel): string {
  const k = ctx.kube;
  if (!k) return '';
  const m = ctx.model;
  const pod = `${kubeName(ctx, d.name)}-0`;
  const f = backupFacts(ctx);
  const dumped = f.dumps.includes(d);
  const cron = objectsOf(ctx, 'backup', ['CronJob']).find(
    (o) => o.metadata.name === `${kubeName(ctx, d.name)}-backup`,
  );
  const claim = objectsOf(ctx, 'backup', ['PersistentVolumeClaim'])[0];
  const w = writers(ctx, d.name);
  const file = `${d.name}-$(date -u +%Y%m%dT%H%M%SZ).dump`;
  return blocks(
    `### ${d.name} (PostgreSQL ${d.version}, self-hosted)`,
    dumped && cron && claim
      ? blocks(
          `The CronJob ${ic(cron.metadata.name)} runs ${ic('pg_dump --format=custom')} ${f.schedule.text}${m.backup.verify ? ', checks each dump with `pg_restore --list`' : ''} and keeps ${duration(m.backup.retentionSeconds)} of dumps on the volume ${ic(claim.metadata.name)} (${m.backup.destination.size}).`,
          m.backup.destination.type === 's3'
            ? `The spec names an s3 destination, but pg_dump backups are written to that volume only: copy them off the cluster yourself.`
            : '**The dumps live in the same namespace as the database**: a lost namespace or cluster loses them too. Copy them off the cluster regularly (below).',
          'Back up now:',
          code(
            'sh',
            [
              `JOB=${cron.metadata.name}-manual-$(date +%s)`,
              `${k.kubectl} create job $JOB --from=cronjob/${cron.metadata.name}`,
              `${k.kubectl} wait --for=condition=complete job/$JOB --timeout=1h`,
              `${k.kubectl} logs job/$JOB`,
            ].join('\n'),
          ),
          'Copy a dump off the cluster (a throw-away pod that mounts the backup volume; it passes the restricted Pod Security level):',
          code('sh', readerPod(ctx, claim.metadata.name, d.image)),
        )
      : `**Not backed up**: ${m.backup.enabled ? `backups are off for ${ic(d.name)} (\`dependencies.${d.name}.backup: false\`)` : 'backups are off in this environment (`backup.enabled: false`)'}. Dump it by hand when it matters:`,
    'A dump straight from the database pod:',
    code(
      'sh',
      `${k.kubectl} exec ${pod} -c postgres -- pg_dump -U ${d.user} -d ${d.database} --format=custom > ${file}`,
    ),
    'Restore a dump (stop the writers first so nothing writes half-way):',
    code(
      'sh',
      [
        ...(w.stop.length ? ['# 1. stop the writers', ...w.stop] : []),
        '# 2. restore',
        `${k.kubectl} exec -i ${pod} -c postgres -- pg_restore -U ${d.user} -d ${d.database} --clean --if-exists --no-owner < <file>.dump`,
        ...(w.start.length ? ['# 3. start them again', ...w.start] : []),
      ].join('\n'),
    ),
  );
}

function recoveryManifest(cluster: KubeObject): string {
  const spec = cluster.spec as Record<string, unknown> & {
    backup?: { barmanObjectStore?: Record<string, unknown> };
    bootstrap?: { initdb?: Record<string, unknown> };
  };
  const store = spec.backup?.barmanObjectStore ?? {};
  const { wal: _wal, data: _data, ...source } = store as { wal?: unknown; data?: unknown };
  const origin = `${cluster.metadata.name}-origin`;
  const { bootstrap: _b, ...rest } = spec;
  return toYaml({
    apiVersion: cluster.apiVersion,
    kind: cluster.kind,
    metadata: {
      name: cluster.metadata.name,
      namespace: cluster.metadata.namespace,
      ...(cluster.metadata.labels ? { labels: cluster.metadata.labels } : {}),
      // The recovered cluster archives into the same path, on a new timeline.
      annotations: { 'cnpg.io/skipEmptyWalArchiveCheck': 'enabled' },
    },
    spec: {
      ...rest,
      bootstrap: { recovery: { source: origin } },
      externalClusters: [
        { name: origin, barmanObjectStore: { ...source, serverName: cluster.metadata.name } },
      ],
    },
  }).trimEnd();
}

function cnpgPostgres(ctx: EnvContext, d: DependencyModel): string {
  const k = ctx.kube;
  if (!k) return '';
  const m = ctx.model;
  const name = kubeName(ctx, d.name);
  const cluster = objectsOfKind(ctx, 'Cluster').find((o) => o.metadata.name === name);
  const scheduled = objectsOfKind(ctx, 'ScheduledBackup').find((o) => o.metadata.name === name);
  const w = writers(ctx, d.name);
  const dumpByHand = code(
    'sh',
    [
      `${k.kubectl} port-forward service/${name}-rw 15432:5432 & sleep 2`,
      `PGPASSWORD="$(${k.kubectl} get secret ${name}-app -o jsonpath='{.data.password}' | base64 -d)" \\`,
      `  pg_dump -h 127.0.0.1 -p 15432 -U ${d.user} -d ${d.database} --format=custom > ${d.name}-$(date -u +%Y%m%dT%H%M%SZ).dump`,
      'kill %1',
    ].join('\n'),
  );
  if (!cluster || !scheduled) {
    return blocks(
      `### ${d.name} (PostgreSQL ${d.version}, CloudNativePG, ${d.instances} instances)`,
      '**Not backed up.** CloudNativePG backs up only to an object store: set `backup.destination.type: s3` with a bucket (and `backup.enabled: true`). Replicas protect against a lost node, not against a dropped table. Until then, dump by hand (needs a local `pg_dump` of major version ' +
        `${d.version.split('.')[0]} or later):`,
      dumpByHand,
    );
  }
  const dest = m.backup.destination;
  const backupName = `${name}-manual-$(date +%Y%m%d%H%M%S)`;
  const initdb = (cluster.spec as { bootstrap?: { initdb?: unknown } }).bootstrap?.initdb ?? {};
  return blocks(
    `### ${d.name} (PostgreSQL ${d.version}, CloudNativePG, ${d.instances} instances)`,
    `The ScheduledBackup ${ic(scheduled.metadata.name)} takes a base backup ${backupFacts(ctx).schedule.text}; WAL is archived continuously to ${ic(`s3://${dest.bucket}/${dest.prefix ?? `${m.app.name}/${d.name}`}`)}${dest.endpoint ? ` at ${dest.endpoint}` : ''}. Backups are kept ${duration(m.backup.retentionSeconds)}, and any point in that window can be restored.`,
    'Back up now, and list the backups:',
    code(
      'sh',
      [
        `${k.kubectl} apply -f - <<EOF`,
        toYaml({
          apiVersion: 'postgresql.cnpg.io/v1',
          kind: 'Backup',
          metadata: { name: backupName },
          spec: { cluster: { name }, method: 'barmanObjectStore' },
        }).trimEnd(),
        'EOF',
        `${k.kubectl} get backups.postgresql.cnpg.io`,
      ].join('\n'),
    ),
    `Restore. CloudNativePG never restores in place: it bootstraps a **new** cluster from the object store. Recreating it under the same name keeps the Service ${ic(`${name}-rw`)} and the Secret ${ic(`${name}-app`)} the app uses.`,
    code(
      'sh',
      [
        ...(w.stop.length ? ['# 1. stop the writers', ...w.stop] : []),
        `# 2. make sure a completed backup exists, then delete the cluster (its volumes go with it; the object store keeps the backups)`,
        `${k.kubectl} get backups.postgresql.cnpg.io`,
        `${k.kubectl} delete cluster.postgresql.cnpg.io/${name} --wait=true`,
        `# 3. recreate it from the object store (for a point in time, add under recovery: recoveryTarget: { targetTime: "2006-01-02 15:04:05+00" })`,
        `${k.kubectl} apply -f - <<'EOF'`,
        recoveryManifest(cluster),
        'EOF',
        `${k.kubectl} wait --for=condition=Ready cluster.postgresql.cnpg.io/${name} --timeout=2h`,
        `# 4. put the bootstrap back to what Slipway renders, so the next deploy applies cleanly`,
        `${k.kubectl} patch cluster.postgresql.cnpg.io/${name} --type=merge -p '${JSON.stringify({ spec: { bootstrap: { recovery: null, initdb } } })}'`,
        ...(w.start.length ? ['# 5. start the writers again', ...w.start] : []),
      ].join('\n'),
    ),
    'A logical dump by hand, any time (needs a local `pg_dump` of the same major version or later):',
    dumpByHand,
  );
}

function redis(ctx: EnvContext, d: DependencyModel): string {
  const k = ctx.kube;
  if (!k) return '';
  const name = kubeName(ctx, d.name);
  if (d.mode === 'ha')
    return blocks(
      `### ${d.name} (Redis ${d.version}, failover: ${d.instances} instances, ${d.sentinels} sentinels)`,
      `Not backed up by Slipway: Redis holds queues and caches that the app can rebuild. ${d.persistence ? `Each instance appends to its own volume (kept when the RedisFailover is deleted).` : 'No persistence: a full restart empties it.'}`,
    );
  return blocks(
    `### ${d.name} (Redis ${d.version}, self-hosted)`,
    `Not backed up by Slipway: Redis holds queues and caches that the app can rebuild. ${d.persistence ? `Its append-only file is on the volume ${ic(`data-${name}-0`)}; to keep a copy:` : 'No persistence: a restart empties it.'}`,
    d.persistence
      ? code(
          'sh',
          `${k.kubectl} exec ${name}-0 -c redis -- redis-cli BGREWRITEAOF\n${k.kubectl} cp ${ctx.model.environment.namespace}/${name}-0:/data ./${d.name}-data -c redis${ctx.model.environment.context ? ` --context ${ctx.model.environment.context}` : ''}`,
        )
      : undefined,
  );
}

function external(ctx: EnvContext, d: DependencyModel): string {
  const k = ctx.kube;
  if (!k) return '';
  const key = ctx.model.secrets.find((s) => s.name === d.external?.secret)?.key ?? d.external?.secret ?? '';
  const users = usersOf(ctx.model, d.name)
    .map((u) => ctx.model.services.find((s) => s.name === u))
    .filter((s): s is ServiceModel => !!s && (s.kind === 'web' || s.kind === 'worker'));
  const restart = users.flatMap((s) =>
    workloads(ctx, s).map((o) =>
      o.kind === 'Rollout' ? argo(ctx, 'restart', o.metadata.name) : `${k.kubectl} rollout restart ${ref(o)}`,
    ),
  );
  const src = ctx.model.environment.secretSource;
  return blocks(
    `### ${d.name} (${d.type} ${d.version}, external)`,
    `Backed up by its provider${d.external?.host ? ` (${ic(d.external.host)})` : ''}: use the provider's backups and point-in-time recovery. The app reaches it through the key ${ic(key)} of the Secret ${ic(src.name)}.`,
    `After restoring into a new instance, ${src.type === 'external-secrets' ? `update the value in the store (remote key ${ic(ctx.model.secrets.find((s) => s.name === d.external?.secret)?.remoteKey ?? '')}), force a refresh` : 'update that key of the Secret'} and restart the users:`,
    code(
      'sh',
      [
        ...(src.type === 'external-secrets'
          ? [`${k.kubectl} annotate externalsecret/${src.name} force-sync=$(date +%s) --overwrite`]
          : []),
        ...restart,
      ].join('\n'),
    ),
  );
}

function volumes(ctx: EnvContext): string | undefined {
  const k = ctx.kube;
  if (!k) return undefined;
  const rows: string[] = [];
  for (const s of ctx.model.services)
    for (const v of s.volumes) {
      const w = workloads(ctx, s)[0];
      if (!w) continue;
      const target =
        w.kind === 'Rollout'
          ? `$(${k.kubectl} get pod -l ${podSelector(ctx, s.name)} -o name | head -1)`
          : ref(w);
      rows.push(
        `# ${s.name}: ${v.name} (${v.path}, claim ${kubeName(ctx, s.name)}-${v.name}, ${v.size})`,
        `${k.kubectl} exec ${target} -c ${s.name} -- tar czf - -C ${v.path} . > ${s.name}-${v.name}.tgz`,
        `# restore: ${k.kubectl} exec -i ${target} -c ${s.name} -- tar xzf - -C ${v.path} < ${s.name}-${v.name}.tgz`,
      );
    }
  if (rows.length === 0) return undefined;
  return blocks(
    '### Service volumes',
    'Slipway renders no backup for service volumes (`backup: true` on a volume marks it for you, not for a job). Snapshot the claims with your storage (VolumeSnapshot), or copy them (the image needs `tar`):',
    code('sh', rows.join('\n')),
  );
}

function backupSection(ctx: EnvContext): string {
  const m = ctx.model;
  const sections = m.dependencies.map((d) => {
    if (d.mode === 'external') return external(ctx, d);
    if (d.type === 'redis') return redis(ctx, d);
    if (d.mode === 'ha') return cnpgPostgres(ctx, d);
    if (d.mode === 'self-hosted') return selfHostedPostgres(ctx, d);
    return `### ${d.name} (sqlite)\n\nA file at ${ic(d.sqlitePath ?? ':memory:')}${d.sqlitePath === ':memory:' ? ': nothing survives a restart' : " inside the service's volume (below)"}.`;
  });
  return blocks('## Back up and restore', ...sections, volumes(ctx));
}

function drSection(ctx: EnvContext): string {
  const k = ctx.kube;
  if (!k) return '';
  const m = ctx.model;
  const src = m.environment.secretSource;
  const ns = objectsOfKind(ctx, 'Namespace')[0];
  const secretObjects = [...objectsOfKind(ctx, 'SealedSecret'), ...objectsOfKind(ctx, 'ExternalSecret')];
  const depFiles = (d: DependencyModel) =>
    objectsOf(ctx, d.name, ['ServiceAccount', 'Service', 'StatefulSet', 'RedisFailover'])
      .map((o) => objectFile(ctx, o))
      .filter((f): f is string => !!f);
  const steps: string[] = [];
  steps.push(
    `**Platform.** A cluster with everything ${link(`runbooks/${ctx.name}.md`, `setup.md#${ctx.name}`, 'Setup')} lists${m.environment.context ? `, reachable as context ${ic(m.environment.context)}` : ''}, and the rendered files: ${ic(`slipway plan ${ctx.specPath} --env ${ctx.name}`)}.`,
  );
  if (ns)
    steps.push(
      `**Namespace.**\n\n${code('sh', `kubectl${m.environment.context ? ` --context ${m.environment.context}` : ''} apply -f ${objectFile(ctx, ns)}`)}`,
    );
  const secretCmds: string[] = [];
  if (m.secrets.length) {
    if (src.type === 'sealed-secrets')
      secretCmds.push(
        '# the controller must hold the sealing key the SealedSecret was sealed with: restore it first',
        '# (back it up once, and keep it off the cluster: kubectl get secret -n kube-system -l sealedsecrets.bitnami.com/sealed-secrets-key -o yaml > sealing-key.yaml)',
        'kubectl apply -f sealing-key.yaml && kubectl -n kube-system rollout restart deployment/sealed-secrets-controller',
      );
    if (src.type === 'existing')
      secretCmds.push('# create the Secret again with the command in Setup (values from your vault)');
    for (const o of secretObjects) secretCmds.push(`kubectl apply -f ${objectFile(ctx, o)}`);
    if (src.type === 'sealed-secrets')
      secretCmds.push(
        `${k.kubectl} apply -f ${src.file ? posix.join(posix.dirname(ctx.specPath), src.file) : 'sealed-secret.yaml'}   # the SealedSecret you sealed (Setup)`,
      );
    if (src.type === 'external-secrets')
      secretCmds.push(`${k.kubectl} wait --for=condition=Ready externalsecret/${src.name} --timeout=5m`);
  }
  for (const c of objectStoreCredentials(ctx))
    secretCmds.push(
      `# the object-store credentials CloudNativePG restores from`,
      objectStoreSecretCommand(ctx, c),
    );
  if (secretCmds.length)
    steps.push(
      `**Secrets.** Secret values never live in the repository: ${src.type === 'external-secrets' ? `the store ${ic(src.store ?? '')} must be reachable` : src.type === 'sealed-secrets' ? 'only the sealed form does' : 'keep them in a vault'}.\n\n${code('sh', secretCmds.join('\n'))}`,
    );
  const depCmds: string[] = [];
  for (const d of m.dependencies) {
    if (d.mode === 'self-hosted') {
      for (const f of depFiles(d)) depCmds.push(`kubectl apply -f ${f}`);
      depCmds.push(`${k.kubectl} rollout status statefulset/${kubeName(ctx, d.name)} --timeout=10m`);
    } else if (d.mode === 'ha' && d.type === 'redis') {
      for (const f of depFiles(d)) depCmds.push(`kubectl apply -f ${f}`);
    } else if (d.mode === 'ha') {
      depCmds.push(
        `# ${d.name}: do not apply its Cluster file: recreate it from the object store (Back up and restore, step 3)`,
      );
    }
  }
  if (depCmds.length)
    steps.push(
      `**Dependencies**, before the app, so it starts on restored data.\n\n${code('sh', depCmds.join('\n'))}`,
    );
  const data = dataSection(ctx, false);
  if (data) steps.push(`**Data.** ${data}`);
  steps.push(
    `**App.** Deploy as usual; hooks run against the restored data.\n\n${code('sh', `slipway deploy ${ctx.specPath} --env ${ctx.name}`)}`,
  );
  const volumes = m.services.flatMap((s) => s.volumes.map((v) => ic(`${s.name}/${v.name}`)));
  if (volumes.length)
    steps.push(
      `**Service volumes** ${volumes.join(', ')}: restore your copies into the running pods ([Service volumes](#service-volumes)), then restart them.`,
    );
  steps.push(
    `**Verify.** The watch and smoke-test commands of [Deploy](#deploy)${m.ingress?.tls?.issuer ? `, and the certificate: ${ic(`${k.kubectl} get certificate`)}` : ''}${hostsOf(m).length ? `; DNS of ${hostsOf(m).map(ic).join(', ')} must point at the new ingress address` : ''}.`,
  );
  return disasterRecoverySection(ctx, steps);
}

function troubleshootingSection(ctx: EnvContext): string {
  const k = ctx.kube;
  if (!k) return '';
  const m = ctx.model;
  const perService = m.services.map((s) => {
    const sel = podSelector(ctx, s.name);
    const max = replicaRange(m, s).max;
    const lines = [`# ${s.name} (${s.kind})`];
    if (s.kind === 'job')
      lines.push(
        `${k.kubectl} get jobs -l ${sel}`,
        `${k.kubectl} logs -l ${sel} --tail=200`,
        `${k.kubectl} describe jobs -l ${sel}`,
      );
    else if (s.kind === 'cron') {
      const cj = workloads(ctx, s)[0]?.metadata.name ?? kubeName(ctx, s.name);
      lines.push(
        `${k.kubectl} get cronjob/${cj} && ${k.kubectl} get jobs -l ${sel}`,
        `${k.kubectl} logs -l ${sel} --tail=200`,
        `${k.kubectl} create job ${cj}-manual-$(date +%s) --from=cronjob/${cj}   # run it now`,
      );
    } else {
      lines.push(
        `${k.kubectl} logs -l ${sel} --all-containers --prefix --tail=200 -f${max > 5 ? ` --max-log-requests=${max}` : ''}`,
        `${k.kubectl} logs -l ${sel} --previous --tail=100   # the crashed container`,
        `${k.kubectl} describe pods -l ${sel}`,
      );
      const port = s.ports[0];
      if (port)
        lines.push(`${k.kubectl} port-forward service/${kubeName(ctx, s.name)} ${port.port}:${port.port}`);
      if (s.autoscaling) lines.push(`${k.kubectl} get hpa/${kubeName(ctx, s.name)}`);
      if (objectsOf(ctx, s.name, ['ScaledObject']).length)
        lines.push(
          `${k.kubectl} get scaledobject/${kubeName(ctx, s.name)} hpa/keda-hpa-${kubeName(ctx, s.name)}`,
        );
    }
    return lines.join('\n');
  });
  const db = m.dependencies.flatMap((d) => {
    const name = kubeName(ctx, d.name);
    if (d.mode === 'self-hosted' && d.type === 'postgres')
      return [
        `# ${d.name}: a psql shell in the pod, or a local port`,
        `${k.kubectl} exec -it ${name}-0 -c postgres -- psql -U ${d.user} -d ${d.database}`,
        `${k.kubectl} port-forward pod/${name}-0 ${d.port}:${d.port} & sleep 2`,
        `PGPASSWORD="$(${k.kubectl} get secret ${m.environment.secretSource.name} -o jsonpath='{.data.${d.name}-password}' | base64 -d)" psql -h 127.0.0.1 -U ${d.user} -d ${d.database}`,
      ];
    if (d.mode === 'ha' && d.type === 'postgres')
      return [
        `# ${d.name}: the primary, through its read-write Service`,
        `${k.kubectl} get cluster.postgresql.cnpg.io/${name}`,
        `${k.kubectl} port-forward service/${name}-rw ${d.port}:${d.port} & sleep 2`,
        `PGPASSWORD="$(${k.kubectl} get secret ${name}-app -o jsonpath='{.data.password}' | base64 -d)" psql -h 127.0.0.1 -U ${d.user} -d ${d.database}`,
      ];
    if (d.type === 'redis') {
      const queues = m.services.flatMap((s) =>
        s.queueScaling?.dependency === d.name ? [s.queueScaling.list] : [],
      );
      if (d.mode === 'ha')
        return [
          `# ${d.name}: the master, through the operator's Service`,
          `${k.kubectl} port-forward service/rfrm-${name} ${d.port}:${d.port} & sleep 2`,
          'redis-cli -h 127.0.0.1',
          ...queues.map((q) => `redis-cli -h 127.0.0.1 LLEN ${q}   # jobs waiting`),
        ];
      return [
        `# ${d.name}`,
        `${k.kubectl} exec -it ${name}-0 -c redis -- redis-cli`,
        ...queues.map((q) => `${k.kubectl} exec ${name}-0 -c redis -- redis-cli LLEN ${q}   # jobs waiting`),
      ];
    }
    if (d.mode === 'external') {
      const key = m.secrets.find((s) => s.name === d.external?.secret)?.key ?? '';
      return [
        `# ${d.name}: external${d.external?.host ? ` (${d.external.host})` : ''}; connect with the URL the app uses`,
        `psql "$(${k.kubectl} get secret ${m.environment.secretSource.name} -o jsonpath='{.data.${key}}' | base64 -d)"`,
      ];
    }
    return [];
  });
  const secretKeys = m.secrets.map((s) => s.key);
  const symptoms: string[][] = [
    [
      '`CreateContainerConfigError`',
      `A key is missing from the Secret ${ic(m.environment.secretSource.name)}; it must hold ${secretKeys.map(ic).join(', ') || 'no keys'}.`,
      `${ic(`${k.kubectl} describe secret ${m.environment.secretSource.name}`)} (lists keys, never values)`,
    ],
    [
      '`ImagePullBackOff`',
      `The image is not in the registry, or the node cannot pull it: ${[...new Set(m.services.map((s) => s.image))].map(ic).join(', ')}.`,
      ic(`${k.kubectl} describe pod <pod>`),
    ],
    [
      '`Pending`',
      'Not enough CPU or memory for the requests (see Environments › Sizing), or a volume claim that cannot bind.',
      ic(`${k.kubectl} describe pod <pod>; ${k.kubectl} get pvc`),
    ],
    [
      '`CrashLoopBackOff`',
      'The app exits at start: configuration, a dependency it cannot reach, or a write to the read-only root filesystem (only `/tmp` and `writablePaths` are writable).',
      ic(`${k.kubectl} logs <pod> --previous`),
    ],
    [
      'connection timeouts between components',
      'NetworkPolicy allows only the edges in Networking; a new dependency needs `uses` or a reference in the spec.',
      ic(`${k.kubectl} get networkpolicy`),
    ],
    ...(m.ingress
      ? [
          [
            '404/503 from the ingress',
            `No route matches, or no ready pod behind it (readiness probe failing).`,
            ic(`${k.kubectl} describe ingress; ${k.kubectl} get endpointslices`),
          ],
        ]
      : []),
    ...(m.ingress?.tls?.issuer
      ? [
          [
            'certificate not issued',
            `cert-manager ${m.ingress.tls.issuerKind} ${ic(m.ingress.tls.issuer)} could not complete the challenge (DNS, reachability).`,
            ic(`${k.kubectl} get certificate,certificaterequest,order,challenge`),
          ],
        ]
      : []),
    ...(m.environment.secretSource.type === 'external-secrets'
      ? [
          [
            'Secret missing or stale',
            `The ExternalSecret could not read from ${ic(m.environment.secretSource.store ?? '')}.`,
            ic(`${k.kubectl} describe externalsecret/${m.environment.secretSource.name}`),
          ],
        ]
      : []),
    ...(m.environment.secretSource.type === 'sealed-secrets'
      ? [
          [
            'Secret missing',
            'The controller could not unseal the SealedSecret (sealed for another cluster or namespace).',
            ic(`${k.kubectl} describe sealedsecret/${m.environment.secretSource.name}`),
          ],
        ]
      : []),
    ...(m.services.some((s) => s.hook)
      ? [
          [
            'deploy stopped at a hook',
            'A pre-deploy job failed or ran past its deadline; nothing else changed.',
            ic(`${k.kubectl} logs -l ${podSelector(ctx, m.services.find((s) => s.hook)?.name ?? '')}`),
          ],
        ]
      : []),
  ];
  return blocks(
    '## Troubleshooting',
    code(
      'sh',
      [
        `${k.kubectl} get pods -l app.kubernetes.io/instance=${m.app.name} -o wide`,
        `${k.kubectl} get events --sort-by=.lastTimestamp | tail -30`,
      ].join('\n'),
    ),
    'Per component:',
    code('sh', perService.join('\n\n')),
    db.length ? 'Dependencies:' : undefined,
    db.length ? code('sh', db.join('\n')) : undefined,
    table(['symptom', 'likely cause here', 'look with'], symptoms),
  );
}

export function kubernetesRunbook(ctx: EnvContext): RunbookParts {
  return {
    deploy: deploySection(ctx),
    rollback: rollbackSection(ctx),
    backup: backupSection(ctx),
    dr: drSection(ctx),
    troubleshooting: troubleshootingSection(ctx),
  };
}
