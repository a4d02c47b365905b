/**
 * The runtime presets as multi-stage Dockerfiles. Every preset has the same stage names:
 *
 *   deps    (node presets) every dependency installed, as the app's user;
 *   build   the build command run, dev dependencies pruned;
 *   dev     what the compose development profile runs: every dependency, the dev server, the
 *           source bind-mounted over it;
 *   runtime the last stage, so a plain `docker build` produces it: only what the app needs to
 *           run, owned by root (the app cannot rewrite its own code), run as the model's user.
 */
import type { BuildModel, Model, RuntimePreset, ServiceModel } from '../../model/types.ts';
import { buildArgs, commandArgs, expose, healthcheck, json, run, shellWord, user } from './dockerfile.ts';
import { baseImage } from './images.ts';
import { packageManager, pruneCommand, runScript, startCommand } from './package-manager.ts';

export const APP_DIR = '/app';

type PresetBuild = BuildModel & { preset: RuntimePreset };

export function presetBuild(svc: ServiceModel): PresetBuild | undefined {
  const b = svc.build;
  return b?.preset && !b.dockerfile ? (b as PresetBuild) : undefined;
}

/** The development server of a preset, listening on all interfaces on the service's first port. */
export function devCommand(svc: ServiceModel): string[] {
  const b = presetBuild(svc);
  if (!b) return [];
  const port = svc.ports[0]?.port;
  const pm = packageManager(b.install);
  const portArgs = port === undefined ? [] : ['--port', String(port)];
  switch (b.preset) {
    case 'python': {
      const module = b.module ?? 'main:app';
      if (b.server === 'gunicorn')
        return ['gunicorn', '--reload', ...(port === undefined ? [] : ['--bind', `0.0.0.0:${port}`]), module];
      return ['uvicorn', module, '--reload', '--host', '0.0.0.0', ...portArgs];
    }
    case 'nextjs':
      return runScript(pm, 'dev', ['--hostname', '0.0.0.0', ...portArgs]);
    case 'static':
      // Vite's flags: its dev server listens on localhost only unless told otherwise.
      return runScript(pm, 'dev', ['--host', '0.0.0.0', ...portArgs]);
    default:
      return runScript(pm, 'dev');
  }
}

/**
 * Folders the dev server writes that must not come from the bind-mounted source: kept in
 * anonymous volumes filled from the dev image (its installed dependencies, owned by the app's user).
 */
export function devVolumes(svc: ServiceModel): string[] {
  const b = presetBuild(svc);
  if (!b || b.preset === 'python') return [];
  const out = [`${APP_DIR}/node_modules`];
  if (b.preset === 'nextjs') out.push(`${APP_DIR}/.next`);
  if (b.preset === 'node' && b.buildCommand && b.outputDir !== '.' && b.outputDir !== '')
    out.push(`${APP_DIR}/${b.outputDir.replace(/^\.\/|\/+$/g, '')}`);
  return out;
}

/**
 * Volume mount points, created owned by the user that writes them: a new named volume takes the
 * ownership of the image's directory (compose has no fsGroup), so a root-owned or missing path
 * would leave the volume unwritable. Covers the services that run this image (`imageFrom`) too.
 */
export function volumeDirs(model: Model, svc: ServiceModel): string[] {
  const users = new Map<number, Set<string>>();
  for (const s of model.services.filter((x) => x === svc || x.imageFrom === svc.name))
    for (const v of s.volumes) users.set(s.runAsUser, (users.get(s.runAsUser) ?? new Set()).add(v.path));
  return [...users]
    .sort(([a], [b]) => a - b)
    .map(([uid, paths]) => {
      const list = [...paths].sort().map(shellWord).join(' ');
      return `RUN mkdir -p ${list} && chown ${uid}:${uid} ${list}`;
    });
}

export function presetStages(model: Model, svc: ServiceModel, b: PresetBuild): string[] {
  if (b.preset === 'python') return pythonStages(model, svc, b);
  return [...nodeBuildStages(model, svc, b), ...nodeRuntimeStage(model, svc, b)];
}

/** npm and friends write caches under HOME: /tmp, the one writable place at run time. */
function nodeEnv(b: PresetBuild): string {
  return ['HOME=/tmp', 'NPM_CONFIG_UPDATE_NOTIFIER=false']
    .concat(b.preset === 'nextjs' ? ['NEXT_TELEMETRY_DISABLED=1'] : [])
    .join(' ');
}

function nodeBuildStages(model: Model, svc: ServiceModel, b: PresetBuild): string[] {
  const image = baseImage(model, 'node', b.runtimeVersion);
  const pm = packageManager(b.install);
  const u = user(svc);
  const outputDir = b.outputDir.replace(/\/+$/, '') || '.';
  const lines = [
    '# ---- deps: every dependency, installed as the app user from the whole context',
    '# (workspaces and lockfiles of any layout work; .dockerignore keeps node_modules and secrets out)',
    `FROM ${image} AS deps`,
    `WORKDIR ${APP_DIR}`,
    `ENV ${nodeEnv(b)}`,
    ...(pm === 'pnpm' ? ['RUN corepack enable pnpm'] : []),
    `RUN chown ${u} ${APP_DIR}`,
    `USER ${u}`,
    `COPY --chown=${u} . .`,
    run(b.install),
    '',
    '# ---- dev: the compose development profile (source bind-mounted, hot reload)',
    'FROM deps AS dev',
    // Owned by the app user, so the anonymous volumes compose mounts there are writable too.
    `RUN mkdir -p ${devVolumes(svc).map(shellWord).join(' ')}`,
    ...(volumeDirs(model, svc).length > 0 ? ['USER root', ...volumeDirs(model, svc), `USER ${u}`] : []),
    ...expose(svc.ports),
    `CMD ${json(devCommand(svc))}`,
    '',
    '# ---- build',
    'FROM deps AS build',
    ...buildArgs(svc),
  ];
  if (b.preset === 'static') {
    // Seed 003 copied dist/ into nginx without ever building it: here the build always runs,
    // and the image fails to build if it produced no index.html.
    const cmd = b.buildCommand;
    if (!cmd) throw new Error(`internal: static service ${svc.name} has no build command`);
    lines.push(
      run(cmd),
      `RUN test -f ${shellWord(`${outputDir}/index.html`)} || { echo ${shellWord(`${cmd} did not write ${outputDir}/index.html (build.outputDir)`)} >&2; exit 1; }`,
    );
  } else if (b.preset === 'nextjs') {
    if (b.buildCommand) lines.push(run(b.buildCommand));
    lines.push(
      `RUN test -f .next/standalone/server.js || { echo "set output: 'standalone' in next.config (the image runs .next/standalone/server.js)" >&2; exit 1; }`,
      'RUN mkdir -p public',
    );
  } else {
    if (b.buildCommand) lines.push(run(b.buildCommand));
    lines.push(run(pruneCommand(pm)));
  }
  return lines;
}

function nodeRuntimeStage(model: Model, svc: ServiceModel, b: PresetBuild): string[] {
  const u = user(svc);
  const head = ['', '# ---- runtime'];
  if (b.preset === 'static') {
    const port = svc.ports[0]?.port ?? 8080;
    const outputDir = b.outputDir.replace(/\/+$/, '') || '.';
    return [
      ...head,
      `FROM ${baseImage(model, 'nginx')} AS runtime`,
      '# A single-page app: unknown paths fall back to index.html for the client-side router.',
      "COPY <<'EOF' /etc/nginx/conf.d/default.conf",
      'server {',
      `    listen ${port};`,
      '    server_name _;',
      '    server_tokens off;',
      '    root /usr/share/nginx/html;',
      '    index index.html;',
      '    location / {',
      '        try_files $uri /index.html;',
      '    }',
      '}',
      'EOF',
      `COPY --from=build --chown=0:0 ${APP_DIR}/${outputDir === '.' ? '' : `${outputDir}/`} /usr/share/nginx/html/`,
      ...volumeDirs(model, svc),
      `USER ${u}`,
      ...expose(svc.ports),
      ...healthcheck('nginx', svc.health),
    ];
  }
  const image = baseImage(model, 'node', b.runtimeVersion);
  const port = svc.ports[0]?.port;
  if (b.preset === 'nextjs') {
    // `output: 'standalone'`: server.js with only the traced dependencies, plus the static assets.
    return [
      ...head,
      `FROM ${image} AS runtime`,
      `WORKDIR ${APP_DIR}`,
      `ENV NODE_ENV=production ${nodeEnv(b)} HOSTNAME=0.0.0.0${port === undefined ? '' : ` PORT=${port}`}`,
      `COPY --from=build --chown=0:0 ${APP_DIR}/public ./public`,
      `COPY --from=build --chown=0:0 ${APP_DIR}/.next/standalone ./`,
      `COPY --from=build --chown=0:0 ${APP_DIR}/.next/static ./.next/static`,
      '# The image and fetch cache: the only place Next.js writes.',
      `RUN mkdir -p .next/cache && chown ${u} .next/cache`,
      ...volumeDirs(model, svc),
      `USER ${u}`,
      ...expose(svc.ports),
      ...healthcheck('node', svc.health),
      `CMD ${json(['node', 'server.js'])}`,
    ];
  }
  return [
    ...head,
    `FROM ${image} AS runtime`,
    `WORKDIR ${APP_DIR}`,
    `ENV NODE_ENV=production ${nodeEnv(b)}`,
    `COPY --from=build --chown=0:0 ${APP_DIR} ${APP_DIR}`,
    ...volumeDirs(model, svc),
    `USER ${u}`,
    ...expose(svc.ports),
    ...healthcheck('node', svc.health),
    `CMD ${json(b.start ? commandArgs(b.start) : startCommand(packageManager(b.install)))}`,
  ];
}

const PYTHON_ENV = [
  'PYTHONDONTWRITEBYTECODE=1',
  'PYTHONUNBUFFERED=1',
  'PIP_DISABLE_PIP_VERSION_CHECK=1',
  'VIRTUAL_ENV=/opt/venv',
  'PATH=/opt/venv/bin:$PATH',
];

function pythonServer(svc: ServiceModel, b: PresetBuild): string[] {
  if (b.start) return commandArgs(b.start);
  const module = b.module ?? 'main:app';
  const port = svc.ports[0]?.port;
  if (b.server === 'gunicorn')
    return ['gunicorn', ...(port === undefined ? [] : ['--bind', `0.0.0.0:${port}`]), module];
  return ['uvicorn', module, '--host', '0.0.0.0', ...(port === undefined ? [] : ['--port', String(port)])];
}

function pythonStages(model: Model, svc: ServiceModel, b: PresetBuild): string[] {
  const image = baseImage(model, 'python', b.runtimeVersion);
  const u = user(svc);
  const server = b.server ?? 'uvicorn';
  return [
    '# ---- build: a virtual environment with every requirement, copied whole into the runtime stage',
    `FROM ${image} AS build`,
    `ENV ${PYTHON_ENV.join(' ')}`,
    'RUN python -m venv /opt/venv',
    `WORKDIR ${APP_DIR}`,
    ...buildArgs(svc),
    'COPY . .',
    run(b.install),
    ...(b.buildCommand ? [run(b.buildCommand)] : []),
    ...(b.start
      ? []
      : [
          `RUN python -c ${shellWord(`import ${server}`)} || { echo ${shellWord(`add ${server} to your requirements: the image runs ${b.module ?? 'main:app'} with it`)} >&2; exit 1; }`,
        ]),
    '',
    '# ---- dev: the compose development profile (source bind-mounted, reload on change)',
    'FROM build AS dev',
    'ENV HOME=/tmp',
    ...volumeDirs(model, svc),
    `USER ${u}`,
    ...expose(svc.ports),
    `CMD ${json(devCommand(svc))}`,
    '',
    '# ---- runtime',
    `FROM ${image} AS runtime`,
    `ENV ${PYTHON_ENV.join(' ')} HOME=/tmp`,
    'COPY --from=build /opt/venv /opt/venv',
    `WORKDIR ${APP_DIR}`,
    `COPY --from=build --chown=0:0 ${APP_DIR} ${APP_DIR}`,
    ...volumeDirs(model, svc),
    `USER ${u}`,
    ...expose(svc.ports),
    ...healthcheck('python', svc.health),
    `CMD ${json(pythonServer(svc, b))}`,
  ];
}
