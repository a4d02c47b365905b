/**
 * The runbook of a compose environment: the same sections as on Kubernetes, with docker compose
 * commands that name this project's file, env file, services and volumes.
 */
import type { DependencyModel } from '../../../model/types.ts';
import { runsInCompose } from '../../compose/connections.ts';
import { secretVariable } from '../../compose/interpolation.ts';
import type { EnvContext } from '../context.ts';
import { usersOf } from '../context.ts';
import { blocks, bullets, code, ic, table } from '../format.ts';
import { link } from '../page.ts';
import { backupFacts } from '../summary.ts';
import { dataSection, disasterRecoverySection, healthUrls, type RunbookParts } from './runbook-shared.ts';

function up(ctx: EnvContext): string {
  return `${ctx.compose?.cmd} up -d${ctx.model.environment.profile === 'production' ? '' : ' --build -V'}`;
}

function crontab(ctx: EnvContext): string[] {
  const c = ctx.compose;
  if (!c) return [];
  const lines = ctx.model.services
    .filter((s) => s.kind === 'cron')
    .map((s) => `${s.schedule ?? ''} cd /path/to/checkout && ${c.cmd} run --rm ${s.name}`);
  const f = backupFacts(ctx);
  if (f.dumps.length) lines.push('# once, in /path/to/checkout: mkdir -p backups');
  for (const d of f.dumps)
    lines.push(
      `${ctx.model.backup.schedule} cd /path/to/checkout && ${c.cmd} exec -T ${d.name} pg_dump -U ${d.user} -d ${d.database} --format=custom > backups/${d.name}-$(date +\\%F).dump`,
    );
  return lines;
}

function deploySection(ctx: EnvContext): string {
  const m = ctx.model;
  const c = ctx.compose;
  if (!c) return '';
  const on = m.environment.deployOn;
  const smoke = healthUrls(ctx).map((u) => `curl -fsS ${u}`);
  const cron = crontab(ctx);
  const hooks = m.services.filter((s) => s.hook?.phase === 'pre-deploy');
  return blocks(
    '## Deploy',
    on?.branch || on?.tag
      ? `CI deploys this environment on every push to ${on.branch ? `branch ${ic(on.branch)}` : `tags ${ic(on.tag ?? '')}`}${m.environment.approval ? ', after a person approves it' : ''}. By hand:`
      : 'Deployed by hand:',
    code(
      'sh',
      [
        `slipway plan ${ctx.specPath} --env ${ctx.name}     # render into ${ctx.outDir}/`,
        `slipway deploy ${ctx.specPath} --env ${ctx.name}`,
        `# or by hand${ctx.model.environment.profile === 'production' ? ', on the server' : ''}:`,
        up(ctx),
      ].join('\n'),
    ),
    bullets([
      ...(hooks.length
        ? [
            `${hooks.map((s) => ic(s.name)).join(', ')} ${hooks.length === 1 ? 'runs' : 'run'} to completion before the services that wait for ${hooks.length === 1 ? 'it' : 'them'} start.`,
          ]
        : []),
      'Every container waits for what it uses to be healthy (`depends_on` from the communication graph).',
      m.environment.profile === 'development'
        ? 'Development: the source is bind-mounted with hot reload; `--build -V` rebuilds the dev images and renews their dependency volumes.'
        : 'Changed services are recreated; unchanged ones keep running.',
    ]),
    'Watch it converge:',
    code('sh', `${c.cmd} ps\n${c.cmd} logs -f --tail=50`),
    smoke.length ? 'Smoke test:' : undefined,
    smoke.length ? code('sh', smoke.join('\n')) : undefined,
    cron.length
      ? "Compose has no scheduler: install these in the host's crontab (`crontab -e`; `%` must be escaped there):"
      : undefined,
    cron.length ? code('sh', cron.join('\n')) : undefined,
  );
}

function rollbackSection(ctx: EnvContext): string {
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
            `A rollback does not undo what ${hooks.map((s) => ic(s.name)).join(', ')} did to the data: keep migrations backward compatible.`,
          ]
        : []),
      'It does not restore data: for that, see [Back up and restore](#back-up-and-restore).',
      'Compose keeps no history of its own. Without Slipway, pin the previous image tag (`images.tag`) in the spec, plan and run `docker compose up -d` again.',
    ]),
  );
}

function postgres(ctx: EnvContext, d: DependencyModel): string {
  const c = ctx.compose;
  if (!c) return '';
  const f = backupFacts(ctx);
  const users = usersOf(ctx.model, d.name).filter((u) =>
    ctx.model.services.some((s) => s.name === u && (s.kind === 'web' || s.kind === 'worker')),
  );
  const file = `${d.name}-$(date -u +%Y%m%dT%H%M%SZ).dump`;
  return blocks(
    `### ${d.name} (PostgreSQL ${d.version}, a container)`,
    f.dumps.includes(d)
      ? `Backed up by pg_dump ${f.schedule.text} once the crontab entry in [Deploy](#deploy) is installed. The dumps stay on this server: copy them elsewhere (object storage, another host).`
      : `**Not backed up** (${ctx.model.backup.enabled ? `\`dependencies.${d.name}.backup: false\`` : '`backup.enabled: false` here'}). Dump it by hand when it matters.`,
    'Back up now:',
    code('sh', `${c.cmd} exec -T ${d.name} pg_dump -U ${d.user} -d ${d.database} --format=custom > ${file}`),
    'Restore a dump:',
    code(
      'sh',
      [
        ...(users.length ? [`${c.cmd} stop ${users.join(' ')}`] : []),
        `${c.cmd} exec -T ${d.name} pg_restore -U ${d.user} -d ${d.database} --clean --if-exists --no-owner < <file>.dump`,
        ...(users.length ? [`${c.cmd} start ${users.join(' ')}`] : []),
      ].join('\n'),
    ),
  );
}

function volumeCommands(ctx: EnvContext): string | undefined {
  const c = ctx.compose;
  if (!c || c.volumes.length === 0) return undefined;
  const lines = c.volumes.flatMap((v) => [
    `docker run --rm -v ${c.project}_${v}:/data:ro busybox tar czf - -C /data . > ${v}.tgz`,
  ]);
  return blocks(
    '### Volumes',
    `Named volumes survive \`docker compose down\` (only \`down -v\` deletes them). Copy one to a file, with the services that write it stopped (${ic(`${c.cmd} stop`)}):`,
    code('sh', lines.join('\n')),
    'Restore one (into an existing, stopped project):',
    code(
      'sh',
      `docker run --rm -i -v ${c.project}_<volume>:/data busybox sh -c 'find /data -mindepth 1 -delete && tar xzf - -C /data' < <volume>.tgz`,
    ),
  );
}

function backupSection(ctx: EnvContext): string {
  const m = ctx.model;
  const sections = m.dependencies.map((d) => {
    if (d.mode === 'external')
      return `### ${d.name} (${d.type}, external)\n\nBacked up by its provider${d.external?.host ? ` (${ic(d.external.host)})` : ''}. After restoring it into a new instance, update ${ic(secretVariable(m.secrets.find((s) => s.name === d.external?.secret)?.key ?? ''))} in ${ic(ctx.compose?.envFile ?? '')} and run ${ic(up(ctx))}.`;
    if (d.mode === 'sqlite')
      return `### ${d.name} (sqlite)\n\nA file at ${ic(d.sqlitePath ?? ':memory:')}${d.sqlitePath === ':memory:' ? ': nothing survives a restart' : ", inside the service's volume (below)"}.`;
    if (d.type === 'redis')
      return `### ${d.name} (Redis ${d.version}, a container)\n\nNot backed up: queues and caches the app rebuilds. ${d.persistence ? `Its data is in the volume ${ic(`${ctx.compose?.project}_${d.name}-data`)} (below).` : 'No persistence.'}`;
    return runsInCompose(d) ? postgres(ctx, d) : '';
  });
  return blocks('## Back up and restore', ...sections, volumeCommands(ctx));
}

function drSection(ctx: EnvContext): string {
  const c = ctx.compose;
  if (!c) return '';
  const m = ctx.model;
  const dbs = m.dependencies.filter((d) => runsInCompose(d));
  const steps = [
    `**Server.** A host as ${link(`runbooks/${ctx.name}.md`, `setup.md#${ctx.name}`, 'Setup')} describes, a checkout of the deployed version, and the rendered project: ${ic(`slipway plan ${ctx.specPath} --env ${ctx.name}`)}.`,
    ...(m.secrets.length
      ? [
          `**Secrets.** Put ${ic(c.envFile)} back from where you keep it (a vault or password manager; it is never in the repository).`,
        ]
      : []),
    `**Volumes and containers**, created but not started:\n\n${code('sh', `${c.cmd} up --no-start`)}`,
    ...(dbs.length
      ? [
          `**Dependencies**, alone first:\n\n${code('sh', `${c.cmd} up -d --wait ${dbs.map((d) => d.name).join(' ')}`)}`,
        ]
      : []),
    ...(dataSection(ctx) ? [`**Data.** ${dataSection(ctx)}`] : []),
    `**App.**\n\n${code('sh', `slipway deploy ${ctx.specPath} --env ${ctx.name}   # or: ${up(ctx)}`)}`,
    `**Verify** with the commands of [Deploy](#deploy)${c.proxy && m.ingress?.tls ? '; DNS must point at the new server before Caddy can obtain certificates' : ''}.`,
  ];
  return disasterRecoverySection(ctx, steps);
}

function troubleshootingSection(ctx: EnvContext): string {
  const c = ctx.compose;
  if (!c) return '';
  const m = ctx.model;
  const lines: string[] = [
    `${c.cmd} ps`,
    `${c.cmd} config --quiet   # fails, naming the variable, when the env file lacks a secret`,
  ];
  for (const s of m.services) {
    lines.push('', `# ${s.name} (${s.kind})`, `${c.cmd} logs -f --tail=200 ${s.name}`);
    if (s.health) lines.push(`docker inspect --format '{{json .State.Health}}' ${c.project}-${s.name}-1`);
    if (s.kind === 'web' || s.kind === 'worker') lines.push(`${c.cmd} restart ${s.name}`);
    if (s.kind === 'cron' || s.kind === 'job') lines.push(`${c.cmd} run --rm ${s.name}   # run it now`);
  }
  for (const d of m.dependencies.filter(runsInCompose)) {
    lines.push('', `# ${d.name}`);
    if (d.type === 'postgres') lines.push(`${c.cmd} exec ${d.name} psql -U ${d.user} -d ${d.database}`);
    else {
      lines.push(`${c.cmd} exec ${d.name} redis-cli`);
      for (const s of m.services)
        if (s.queueScaling?.dependency === d.name)
          lines.push(`${c.cmd} exec ${d.name} redis-cli LLEN ${s.queueScaling.list}   # jobs waiting`);
    }
  }
  if (c.proxy) lines.push('', `# ${c.proxy} (Caddy)`, `${c.cmd} logs -f --tail=200 ${c.proxy}`);
  const variables = m.secrets.map((s) => ic(secretVariable(s.key)));
  const symptoms: string[][] = [
    [
      '`required variable … is missing a value`',
      `${ic(c.envFile)} lacks a secret; it must set ${variables.join(', ') || 'nothing'}.`,
      ic(`${c.cmd} config --quiet`),
    ],
    [
      'a container stays `unhealthy` or `starting`',
      'Its health check fails: see its logs and the last probe results.',
      ic(`docker inspect --format '{{json .State.Health}}' <container>`),
    ],
    [
      '`dependency failed to start`',
      'Something it uses is unhealthy, or a pre-deploy job exited non-zero.',
      ic(`${c.cmd} ps -a`),
    ],
    [
      '`read-only file system`',
      'Containers run with a read-only root; only `/tmp` and `writablePaths` are writable.',
      ic(`${c.cmd} logs <service>`),
    ],
    [
      '`permission denied` on a volume',
      "A new named volume takes the image directory's owner: the image must create it owned by the service's uid.",
      ic(`docker run --rm -v ${c.project}_<volume>:/data busybox ls -ln /data`),
    ],
    ...(c.proxy && m.ingress?.tls
      ? [
          [
            'certificate errors',
            'DNS does not point at this server yet, or ports 80/443 are closed.',
            ic(`${c.cmd} logs ${c.proxy}`),
          ],
        ]
      : []),
    ...(m.environment.profile === 'development'
      ? [
          [
            '`port is already allocated`',
            'Another process on this machine uses the port.',
            ic(`${c.cmd} ps; ss -ltnp`),
          ],
        ]
      : []),
  ];
  return blocks(
    '## Troubleshooting',
    code('sh', lines.join('\n')),
    table(['symptom', 'likely cause here', 'look with'], symptoms),
  );
}

export function composeRunbook(ctx: EnvContext): RunbookParts {
  return {
    deploy: deploySection(ctx),
    rollback: rollbackSection(ctx),
    backup: backupSection(ctx),
    dr: drSection(ctx),
    troubleshooting: troubleshootingSection(ctx),
  };
}
