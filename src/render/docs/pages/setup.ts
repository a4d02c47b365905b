/**
 * docs/setup.md: what each environment needs before its first deploy — the cluster's add-ons
 * (from the Kubernetes renderer's prerequisites) or the Docker host, and the secrets to provide
 * and how (from the renderers' own summaries and commands). Never a secret value.
 */
import type { Model } from '../../../model/types.ts';
import { secretVariable } from '../../compose/interpolation.ts';
import type { EnvContext } from '../context.ts';
import { objectsOfKind } from '../context.ts';
import { blocks, bullets, code, duration, ic, table } from '../format.ts';
import { type Doc, link } from '../page.ts';
import { objectStoreCredentials, objectStoreSecretCommand } from '../summary.ts';
import { hostsOf } from '../topology.ts';

/** The services (and dependencies) that read a secret. */
export function secretUsers(m: Model, secret: string): string[] {
  const out = new Set<string>();
  for (const s of m.services)
    for (const v of s.env) {
      if (v.value.kind === 'secret' && v.value.secret === secret) out.add(s.name);
      if (v.value.kind !== 'template') continue;
      for (const p of v.value.parts) {
        if (!('dependency' in p)) continue;
        const d = m.dependencies.find((x) => x.name === p.dependency);
        if (!d) continue;
        if (d.external?.secret === secret && p.property === 'url') out.add(s.name);
        if (
          secret === `${d.name}-password` &&
          d.type === 'postgres' &&
          (d.mode === 'self-hosted' || (m.environment.target === 'compose' && d.mode === 'ha')) &&
          (p.property === 'password' || p.property === 'url')
        )
          out.add(s.name);
      }
    }
  for (const d of m.dependencies)
    if (
      secret === `${d.name}-password` &&
      d.type === 'postgres' &&
      d.mode !== 'external' &&
      d.mode !== 'sqlite'
    )
      out.add(`${d.name} (its password)`);
  return [...out].sort();
}

/** The "how" of a renderer summary: its prose first line, then the command as a shell block. */
function howBlock(how: string): string {
  const [line = '', ...rest] = how.split('\n');
  const first = `${line.charAt(0).toUpperCase()}${line.slice(1)}`;
  return blocks(
    first.endsWith(':') ? first : `${first}.`,
    rest.length ? code('sh', rest.join('\n')) : undefined,
  );
}

function kubernetesSetup(ctx: EnvContext): string {
  const m = ctx.model;
  const k = ctx.kube;
  if (!k) return '';
  const env = m.environment;
  const src = env.secretSource;
  const secrets = m.secrets.map((s) => [
    ic(s.name),
    ic(s.key),
    ...(src.type === 'external-secrets' ? [ic(s.remoteKey)] : []),
    `${s.description ?? '—'}${s.implicit ? ' (added by Slipway; make it URL-safe: `openssl rand -hex 24`)' : ''}`,
    secretUsers(m, s.name).join(', ') || '—',
  ]);
  const s3 = objectStoreCredentials(ctx);
  const operatorSecrets = objectsOfKind(ctx, 'Cluster').map(
    (o) =>
      `${ic(`${o.metadata.name}-app`)} — created by CloudNativePG for ${ic(o.metadata.name)} (user, password, URI); the app reads it, nobody writes it.`,
  );
  const hosts = hostsOf(m);
  return blocks(
    `Kubernetes ${env.kubernetesVersion}${env.context ? ` (kubectl context ${ic(env.context)})` : ''}. Slipway creates the namespace ${ic(env.namespace)} with Pod Security ${ic(m.security.podSecurity)} enforced. Capabilities the spec declares for this cluster: ${env.capabilities.length ? env.capabilities.map(ic).join(', ') : 'none'}.`,
    '### The cluster needs first',
    k.render.prerequisites.length ? bullets(k.render.prerequisites) : 'Nothing beyond a plain cluster.',
    hosts.length && m.ingress
      ? `DNS: ${hosts.map(ic).join(', ')} must resolve to the ingress controller's external address.`
      : undefined,
    '### Secrets to provide',
    secrets.length
      ? blocks(
          `Every secret of the app lives in one Secret, ${ic(src.name)}, in namespace ${ic(env.namespace)}. Values never appear in the repository, the rendered manifests or these documents.`,
          table(
            ['secret', 'key', ...(src.type === 'external-secrets' ? ['remote key'] : []), 'what', 'used by'],
            secrets,
          ),
          howBlock(k.render.secrets.how),
          src.type === 'external-secrets'
            ? `The ExternalSecret refreshes it every ${duration(src.refreshIntervalSeconds)}; rotate a value in the store and it follows.`
            : undefined,
        )
      : 'This environment has no secrets.',
    ...s3.map((c) =>
      blocks(
        `CloudNativePG reads its object-store credentials from the Secret ${ic(c.name)} (keys ${ic(c.id)} and ${ic(c.secret)}), not from ${ic(src.name)}. Create it before deploying:`,
        code('sh', objectStoreSecretCommand(ctx, c)),
      ),
    ),
    operatorSecrets.length ? bullets(operatorSecrets) : undefined,
    k.render.notes.length ? '### Notes' : undefined,
    bullets(k.render.notes),
  );
}

function composeSetup(ctx: EnvContext): string {
  const m = ctx.model;
  const c = ctx.compose;
  if (!c) return '';
  const production = m.environment.profile === 'production';
  const secrets = m.secrets.map((s) => [
    ic(secretVariable(s.key)),
    ic(s.name),
    `${s.description ?? '—'}${s.implicit ? ' (added by Slipway; make it URL-safe: `openssl rand -hex 24`)' : ''}`,
    secretUsers(m, s.name).join(', ') || '—',
  ]);
  return blocks(
    `One Docker host running the compose project ${ic(c.project)} (${m.environment.profile} profile).`,
    '### The host needs first',
    bullets([
      'Docker Engine 23 or later (BuildKit) with the Compose v2 plugin (`docker compose`)',
      ...(production && c.proxy && m.ingress?.tls
        ? [
            `DNS: ${hostsOf(m).map(ic).join(', ')} pointing at this server, with ports 80 and 443 open (Caddy obtains the certificates)`,
          ]
        : []),
      ...(production && c.proxy && !m.ingress?.tls ? ['port 80 open'] : []),
      `the rendered project in ${ic(ctx.outDir)} (written by ${ic(`slipway plan ${ctx.specPath} --env ${ctx.name}`)})`,
    ]),
    '### Secrets to provide',
    secrets.length
      ? blocks(
          `Compose reads every secret from the env file ${ic(c.envFile)} (or the shell's environment, in CI). It is never committed: keep ${ic('.env')} and ${ic('.env.*')} in ${ic('.gitignore')} (with ${ic('!.env.example')}).`,
          table(['variable', 'secret', 'what', 'used by'], secrets),
          code(
            'sh',
            `cp ${ctx.outDir}/.env.example ${c.envFile}\n\${EDITOR:-vi} ${c.envFile}   # fill in every variable`,
          ),
          'A missing variable stops `docker compose` with a message naming it and the env file.',
        )
      : 'This environment has no secrets.',
    c.notes.length ? '### Notes' : undefined,
    bullets(c.notes),
  );
}

export function setupPage(ctxs: EnvContext[]): Doc {
  const path = 'setup.md';
  const sections = ctxs.map((ctx) =>
    blocks(
      `## ${ctx.name}`,
      ctx.kube ? kubernetesSetup(ctx) : composeSetup(ctx),
      `Then deploy: ${link(path, `runbooks/${ctx.name}.md`, `runbooks/${ctx.name}.md`)}.`,
    ),
  );
  return {
    path,
    title: 'Setup: before the first deploy',
    body: blocks(
      'What each environment needs before Slipway can deploy to it: the platform underneath, and the secrets someone must provide. Slipway writes no secret value anywhere; these are the names, where they go and the exact commands.',
      ...sections,
    ),
  };
}
