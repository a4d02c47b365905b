/**
 * What a folder holds — a Node or Python app, a Dockerfile, a compose file — and what it needs,
 * as the facts `slipway init` writes into a first spec. Pure: files come through an injected
 * reader, so the command and the tests share every rule.
 */
import { DEPENDENCY_DEFAULTS } from '../model/presets.ts';
import type { ServiceSpec } from '../spec/schema.ts';
import { importCompose } from './compose.ts';
import { MAX_APP_NAME, toDnsLabel } from './names.ts';
import { parseToml, type TomlTable, tomlGet } from './toml.ts';

/** Read-only access to the app folder; paths are relative to it, with `/` separators. */
export interface FileReader {
  /** A file's text, or undefined when it is absent, not a file or unreadable. */
  read(path: string): string | undefined;
  /** Entry names of a folder ('' is the app folder), or [] when absent. */
  list(path: string): string[];
}

export type BuildSpec = NonNullable<ServiceSpec['build']>;
export type EnvValue = string | number | boolean;
export type Stack = 'nextjs' | 'static' | 'node' | 'python' | 'dockerfile' | 'compose' | 'unknown';

export interface DetectedPort {
  name: string;
  port: number;
  protocol?: 'UDP';
}

export interface DetectedService {
  name: string;
  kind: 'web' | 'worker' | 'job';
  build?: BuildSpec;
  image?: string;
  ports: DetectedPort[];
  healthPath?: string;
  env: Record<string, EnvValue>;
  command?: string[];
  args?: string[];
  uses: string[];
  volumes: Record<string, { path: string }>;
  hook?: 'pre-deploy';
  /** A queue worker: the writer suggests queueScaling on this Redis dependency, commented out. */
  queueDependency?: string;
  /** Where it came from, said in the comment above it. */
  origin: string;
  /** What the user should check, written as comments above it. */
  todos: string[];
}

export interface DetectedDependency {
  name: string;
  type: 'postgres' | 'redis';
  version: string;
  image?: string;
  database?: string;
  user?: string;
  origin: string;
}

export interface DetectedSecret {
  name: string;
  description: string;
}

/** A compose service that cannot go into a valid spec as it is (an unpinned image); written commented out. */
export interface SkippedService {
  name: string;
  reason: string;
  /** Spec-shaped, without env values: safe to print. */
  service: Record<string, unknown>;
}

export interface Detection {
  name: string;
  stack: Stack;
  /** One line for people, e.g. "Next.js app (package.json)". */
  summary: string;
  /** Files that contributed. */
  sources: string[];
  services: DetectedService[];
  dependencies: DetectedDependency[];
  secrets: DetectedSecret[];
  /** The web service that ingress routes / to, when there is one. */
  mainService?: string;
  skipped: SkippedService[];
  notes: string[];
  /** Files that could not be read as what their name says; each was skipped. */
  warnings: string[];
}

export interface DetectOptions {
  /** App name given by the user; used as is. */
  name?: string;
  /** The folder's own name, the last resort for the app name. */
  folderName?: string;
}

/** Notes and warnings collected while reading the folder. */
export interface Report {
  notes: string[];
  warnings: string[];
  sources: string[];
}

/** Compose file names in Docker Compose's own order of preference. */
export const COMPOSE_FILES = [
  'compose.yaml',
  'compose.yml',
  'docker-compose.yaml',
  'docker-compose.yml',
] as const;

const NODE_SERVERS = ['express', 'fastify', 'koa', '@nestjs/core', 'hono'];
const NODE_POSTGRES = [
  'pg',
  'postgres',
  '@prisma/client',
  'prisma',
  'typeorm',
  'sequelize',
  'knex',
  'drizzle-orm',
];
const NODE_REDIS = ['ioredis', 'redis', 'bullmq', 'bull'];
const NODE_QUEUES = ['bullmq', 'bull'];
const PY_POSTGRES = ['psycopg', 'psycopg2', 'psycopg2-binary', 'psycopg-binary', 'asyncpg', 'sqlalchemy'];
const PY_REDIS = ['redis', 'celery'];

/** Inspect an app folder and describe what a first spec should hold. */
export function detectApp(reader: FileReader, opts: DetectOptions = {}): Detection {
  const report: Report = { notes: [], warnings: [], sources: [] };
  const pkg = readPackageJson(reader, report);
  const py = readPython(reader, report);
  const dockerText = reader.read('Dockerfile');
  const docker = dockerText === undefined ? undefined : dockerfileFacts(dockerText);
  const name = opts.name ?? appName(pkg?.name) ?? appName(py?.name) ?? appName(opts.folderName) ?? 'app';

  const composeFiles = COMPOSE_FILES.filter((f) => reader.read(f) !== undefined);
  const composeFile = composeFiles[0];
  let composeDeps: DetectedDependency[] = [];
  if (composeFile !== undefined) {
    if (composeFiles.length > 1)
      report.notes.push(`several compose files found; imported ${composeFile} only`);
    const imported = importCompose(composeFile, reader.read(composeFile) ?? '', reader, report);
    if (imported && imported.services.length + imported.skipped.length > 0) {
      report.sources.push(composeFile);
      const app = detectNodeApp(pkg, reader) ?? detectPythonApp(py, reader);
      if (app)
        report.notes.push(
          `${app.label} also found; the services come from ${composeFile}, which describes them all`,
        );
      return {
        name,
        stack: 'compose',
        summary: `${imported.services.length} service(s) imported from ${composeFile}`,
        sources: unique(report.sources),
        ...imported,
        notes: report.notes,
        warnings: report.warnings,
      };
    }
    // A compose file with only postgres/redis runs the backing services for an app started on the host.
    if (imported && imported.dependencies.length > 0) {
      composeDeps = imported.dependencies;
      report.sources.push(composeFile);
    }
  }

  const app = detectNodeApp(pkg, reader) ?? detectPythonApp(py, reader);
  const todos: string[] = [];
  let build: BuildSpec;
  let port: number;
  let stack: Stack;
  let summary: string;
  if (app) {
    ({ build, port, stack } = app);
    summary = app.label;
    todos.push(...app.todos);
    if (docker) {
      report.sources.push('Dockerfile');
      report.notes.push(
        `a Dockerfile exists too; the spec uses preset ${app.build.preset ?? ''} — to build with your Dockerfile, replace the preset with dockerfile: Dockerfile`,
      );
    }
  } else if (docker) {
    report.sources.push('Dockerfile');
    build = { dockerfile: 'Dockerfile' };
    stack = 'dockerfile';
    summary = 'an app built from its Dockerfile';
    port = docker.port ?? 8080;
    if (docker.port === undefined) {
      todos.push('the Dockerfile has no EXPOSE: set the port the app listens on');
      report.notes.push('the Dockerfile has no EXPOSE; assumed port 8080');
    }
  } else {
    build = { dockerfile: 'Dockerfile' };
    stack = 'unknown';
    summary = 'nothing Slipway recognises';
    port = 8080;
    todos.push(
      'Slipway recognised no app here. Add a Dockerfile next to this spec, or replace build with',
      'a preset (build: { preset: node | nextjs | python | static }) or a pinned image (image: repo/name:1.2.3),',
      'and set the port the app listens on.',
    );
    report.notes.push(
      'no package.json, pyproject.toml, requirements.txt, Dockerfile or compose file recognised: wrote a minimal spec to fill in',
    );
  }

  const wants = new Set([...(pkg?.deps ?? []), ...(py?.deps ?? [])]);
  const needsPostgres = [...NODE_POSTGRES, ...PY_POSTGRES].some((d) => wants.has(d));
  const needsRedis = [...NODE_REDIS, ...PY_REDIS].some((d) => wants.has(d));
  const dependencies: DetectedDependency[] = [...composeDeps];
  const env: Record<string, EnvValue> = {};
  let postgres = dependencies.find((d) => d.type === 'postgres');
  if (!postgres && needsPostgres) {
    postgres = {
      name: 'db',
      type: 'postgres',
      version: DEPENDENCY_DEFAULTS.postgres.version,
      origin: depOrigin(wants, [...NODE_POSTGRES, ...PY_POSTGRES]),
    };
    dependencies.push(postgres);
  }
  if (postgres) env.DATABASE_URL = ref(`dependencies.${postgres.name}.url`);
  let redis = dependencies.find((d) => d.type === 'redis');
  if (!redis && needsRedis) {
    redis = {
      name: 'cache',
      type: 'redis',
      version: DEPENDENCY_DEFAULTS.redis.version,
      origin: depOrigin(wants, [...NODE_REDIS, ...PY_REDIS]),
    };
    dependencies.push(redis);
  }
  if (redis) env.REDIS_URL = ref(`dependencies.${redis.name}.url`);

  const web: DetectedService = {
    name: 'web',
    kind: 'web',
    build,
    ports: [{ name: 'http', port }],
    env: { ...env },
    uses: [],
    volumes: {},
    origin: summary,
    todos,
  };
  if (docker?.healthPath) web.healthPath = docker.healthPath;
  const services = [web];

  const worker = pkg ? findNodeWorker(pkg, reader) : undefined;
  if (worker) {
    services.push({
      name: 'worker',
      kind: 'worker',
      build: { ...build },
      command: worker.command,
      ports: [],
      env: { ...env },
      uses: [],
      volumes: {},
      ...(redis ? { queueDependency: redis.name } : {}),
      origin: `queue worker (${worker.origin})`,
      todos: [],
    });
  }
  const migrate =
    (pkg ? findNodeMigration(pkg) : undefined) ??
    (py && app?.stack === 'python' ? findPythonMigration(py, reader) : undefined);
  if (migrate) {
    services.push({
      name: 'migrate',
      kind: 'job',
      build: { ...build },
      command: migrate.command,
      ports: [],
      env: { ...env },
      uses: [],
      volumes: {},
      hook: 'pre-deploy',
      origin: `database migrations (${migrate.origin}), run before each deploy`,
      todos: [],
    });
  }
  if (py?.deps.has('celery')) {
    report.notes.push(
      'celery found: add a worker service (kind: worker) running `celery -A <your app> worker`',
    );
  }

  return {
    name,
    stack,
    summary,
    sources: unique(report.sources),
    services,
    dependencies,
    secrets: [],
    mainService: 'web',
    skipped: [],
    notes: report.notes,
    warnings: report.warnings,
  };
}

/** The app name from a package or folder name: a DNS-1123 label of at most 30 characters. */
export function appName(raw: string | undefined): string | undefined {
  return raw === undefined ? undefined : toDnsLabel(raw, MAX_APP_NAME);
}

/** `${path}`: a reference in the spec's own syntax (not a JS template). */
export function ref(path: string): string {
  return `\${${path}}`;
}

// ---- package.json -------------------------------------------------------------------------------

interface PackageJson {
  name?: string;
  main?: string;
  scripts: Record<string, string>;
  deps: Set<string>;
}

function readPackageJson(reader: FileReader, report: Report): PackageJson | undefined {
  const text = reader.read('package.json');
  if (text === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    report.warnings.push(`package.json is not valid JSON (${(e as Error).message}); skipped it`);
    return undefined;
  }
  if (!isRecord(raw)) {
    report.warnings.push('package.json is not a JSON object; skipped it');
    return undefined;
  }
  report.sources.push('package.json');
  const deps = new Set<string>();
  for (const key of ['dependencies', 'devDependencies', 'optionalDependencies']) {
    const d = raw[key];
    if (isRecord(d)) for (const n of Object.keys(d)) deps.add(n);
  }
  const scripts: Record<string, string> = {};
  if (isRecord(raw.scripts))
    for (const [k, v] of Object.entries(raw.scripts)) if (typeof v === 'string') scripts[k] = v;
  return {
    ...(typeof raw.name === 'string' ? { name: raw.name } : {}),
    ...(typeof raw.main === 'string' ? { main: raw.main } : {}),
    scripts,
    deps,
  };
}

interface AppGuess {
  stack: 'nextjs' | 'static' | 'node' | 'python';
  label: string;
  build: BuildSpec;
  port: number;
  todos: string[];
}

function detectNodeApp(pkg: PackageJson | undefined, reader: FileReader): AppGuess | undefined {
  if (!pkg) return undefined;
  const has = (d: string) => pkg.deps.has(d);
  const nextConfig = ['next.config.js', 'next.config.mjs', 'next.config.ts'].some(
    (f) => reader.read(f) !== undefined,
  );
  if (has('next') || nextConfig) {
    return {
      stack: 'nextjs',
      label: 'Next.js app (package.json)',
      build: { preset: 'nextjs' },
      port: 3000,
      todos: [],
    };
  }
  const server = NODE_SERVERS.find(has);
  const withScripts = (b: BuildSpec): BuildSpec => ({
    ...b,
    ...(pkg.scripts.build ? { buildCommand: 'npm run build' } : {}),
    ...(pkg.scripts.start ? { start: 'npm start' } : {}),
  });
  if (server) {
    const hint = nodePortHint(pkg, reader);
    return {
      stack: 'node',
      label: `Node.js ${server} server (package.json)`,
      build: withScripts({ preset: 'node' }),
      port: hint ?? 3000,
      todos:
        hint === undefined
          ? ['no PORT default found in the code: check that the app listens on 3000 (or on $PORT)']
          : [],
    };
  }
  const bundler = has('vite') ? 'vite' : has('react-scripts') ? 'react-scripts' : undefined;
  if (bundler && pkg.scripts.build) {
    return {
      stack: 'static',
      label: `static site built with ${bundler} (package.json)`,
      // Create React App writes to build/, Vite to dist/ (the preset's default).
      build: { preset: 'static', ...(bundler === 'react-scripts' ? { outputDir: 'build' } : {}) },
      port: 8080,
      todos: [],
    };
  }
  if (pkg.scripts.start) {
    const hint = nodePortHint(pkg, reader);
    return {
      stack: 'node',
      label: 'Node.js app with a start script (package.json)',
      build: withScripts({ preset: 'node' }),
      port: hint ?? 3000,
      todos: ['no web framework recognised: check that this app serves HTTP, and on which port'],
    };
  }
  return undefined;
}

const PORT_PATTERNS: readonly RegExp[] = [
  /process\.env\.PORT\)?\s*(?:\|\||\?\?)\s*['"`]?(\d{2,5})\b/,
  /\b(?:const|let|var)\s+PORT\s*(?::\s*number\s*)?=\s*(\d{2,5})\b/,
  /\.listen\(\s*(\d{2,5})\b/,
  /\.listen\(\s*\{[^}]*\bport\s*:\s*(\d{2,5})\b/,
];

/** The port a Node server listens on, when the start script or an entry file says so plainly. */
function nodePortHint(pkg: PackageJson, reader: FileReader): number | undefined {
  const start = pkg.scripts.start ?? '';
  const fromEnv = /\bPORT=(\d{2,5})\b/.exec(start)?.[1];
  if (fromEnv !== undefined) return validPort(Number(fromEnv));
  const entry = /\bnode\s+(?:-\S+\s+)*([\w./-]+\.(?:[cm]?[jt]s))\b/.exec(start)?.[1];
  const candidates = [
    entry,
    pkg.main,
    'server.js',
    'server.ts',
    'index.js',
    'index.ts',
    'app.js',
    'app.ts',
    'main.js',
    'main.ts',
  ]
    .concat(['server', 'index', 'main', 'app'].flatMap((f) => [`src/${f}.ts`, `src/${f}.js`]))
    .filter((f): f is string => f !== undefined)
    .map((f) => f.replace(/^\.\//, ''));
  for (const file of unique(candidates)) {
    const text = reader.read(file);
    if (text === undefined) continue;
    for (const re of PORT_PATTERNS) {
      const m = re.exec(text);
      const port = m ? validPort(Number(m[1])) : undefined;
      if (port !== undefined) return port;
    }
  }
  return undefined;
}

function findNodeWorker(
  pkg: PackageJson,
  reader: FileReader,
): { command: string[]; origin: string } | undefined {
  if (!NODE_QUEUES.some((q) => pkg.deps.has(q))) return undefined;
  const script = ['worker', 'start:worker', 'worker:start'].find((s) => pkg.scripts[s] !== undefined);
  if (script) return { command: ['npm', 'run', script], origin: `script ${script}` };
  const inSrc = reader
    .list('src')
    .filter((f) => /^worker\.(js|mjs|cjs|ts|mts)$/.test(f))
    .map((f) => `src/${f}`);
  const file = [
    ...['worker.js', 'worker.mjs', 'worker.ts'].filter((f) => reader.read(f) !== undefined),
    ...inSrc,
  ][0];
  return file ? { command: ['node', file], origin: file } : undefined;
}

function findNodeMigration(pkg: PackageJson): { command: string[]; origin: string } | undefined {
  const script = ['migrate', 'db:migrate'].find((s) => pkg.scripts[s] !== undefined);
  return script ? { command: ['npm', 'run', script], origin: `script ${script}` } : undefined;
}

// ---- Python -------------------------------------------------------------------------------------

interface PythonProject {
  name?: string;
  deps: Set<string>;
  hasRequirements: boolean;
}

function readPython(reader: FileReader, report: Report): PythonProject | undefined {
  const deps = new Set<string>();
  let name: string | undefined;
  let found = false;
  const requirements = reader.read('requirements.txt');
  if (requirements !== undefined) {
    found = true;
    report.sources.push('requirements.txt');
    for (const line of requirements.split(/\r?\n/)) {
      const l = line.replace(/(^|\s)#.*$/, '').trim();
      if (l === '' || l.startsWith('-') || /^[a-z+]+:\/\//i.test(l)) continue;
      const n = pep508Name(l);
      if (n) deps.add(n);
    }
  }
  const pyproject = reader.read('pyproject.toml');
  if (pyproject !== undefined) {
    const parsed = parseToml(pyproject);
    if (!parsed.ok) {
      report.warnings.push(
        `pyproject.toml is not valid TOML (line ${parsed.line}: ${parsed.reason}); skipped it`,
      );
    } else {
      found = true;
      report.sources.push('pyproject.toml');
      const toml = parsed.value;
      const projectName = tomlGet(toml, 'project', 'name') ?? tomlGet(toml, 'tool', 'poetry', 'name');
      if (typeof projectName === 'string') name = projectName;
      for (const d of pyprojectDeps(toml)) deps.add(d);
    }
  }
  if (!found) return undefined;
  return { ...(name !== undefined ? { name } : {}), deps, hasRequirements: requirements !== undefined };
}

function pyprojectDeps(toml: TomlTable): string[] {
  const out: string[] = [];
  const list = tomlGet(toml, 'project', 'dependencies');
  if (Array.isArray(list))
    for (const d of list)
      if (typeof d === 'string') out.push(...[pep508Name(d)].filter((n) => n !== undefined));
  const poetry = tomlGet(toml, 'tool', 'poetry', 'dependencies');
  if (poetry && typeof poetry === 'object' && !Array.isArray(poetry)) {
    for (const k of Object.keys(poetry)) if (k.toLowerCase() !== 'python') out.push(normalisePyName(k));
  }
  return out;
}

/** The distribution name at the start of a PEP 508 requirement, normalised (PEP 503). */
function pep508Name(req: string): string | undefined {
  const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(req);
  return m?.[1] ? normalisePyName(m[1]) : undefined;
}

function normalisePyName(n: string): string {
  return n.toLowerCase().replace(/[._-]+/g, '-');
}

function detectPythonApp(py: PythonProject | undefined, reader: FileReader): AppGuess | undefined {
  if (!py) return undefined;
  const install = py.hasRequirements ? {} : { install: 'pip install --no-cache-dir .' };
  const asgi = ['fastapi', 'starlette'].find((d) => py.deps.has(d));
  if (asgi) {
    const found = findPythonApp(reader, asgi === 'fastapi' ? 'FastAPI' : 'Starlette', [
      'main.py',
      'app.py',
      'app/main.py',
      'src/main.py',
      'api/main.py',
      'src/app/main.py',
    ]);
    return {
      stack: 'python',
      label: `Python ${asgi} app (${py.hasRequirements ? 'requirements.txt' : 'pyproject.toml'})`,
      build: { preset: 'python', server: 'uvicorn', module: found ?? 'main:app', ...install },
      port: 8000,
      todos: found ? [] : ['module is a guess: set it to your ASGI app, as module:variable'],
    };
  }
  const wsgi = ['django', 'flask'].find((d) => py.deps.has(d));
  if (wsgi) {
    const found =
      wsgi === 'django'
        ? djangoModule(reader)
        : findPythonApp(reader, 'Flask', ['app.py', 'wsgi.py', 'main.py', 'app/__init__.py', 'src/app.py']);
    return {
      stack: 'python',
      label: `Python ${wsgi} app (${py.hasRequirements ? 'requirements.txt' : 'pyproject.toml'})`,
      build: {
        preset: 'python',
        server: 'gunicorn',
        module: found ?? (wsgi === 'django' ? 'config.wsgi:application' : 'app:app'),
        ...install,
      },
      port: 8000,
      todos: found ? [] : ['module is a guess: set it to your WSGI app, as module:variable'],
    };
  }
  return undefined;
}

/** `module:variable` of the first file that creates the app, e.g. app/main.py with `app = FastAPI(` → app.main:app. */
function findPythonApp(reader: FileReader, ctor: string, files: string[]): string | undefined {
  const assign = new RegExp(`^(\\w+)\\s*(?::\\s*\\w+\\s*)?=\\s*${ctor}\\(`, 'm');
  for (const file of files) {
    const text = reader.read(file);
    if (text === undefined) continue;
    const mod = file.replace(/\/__init__\.py$|\.py$/, '').replace(/\//g, '.');
    const v = assign.exec(text)?.[1];
    if (v) return `${mod}:${v}`;
    // An app factory (Flask's create_app pattern): gunicorn calls it.
    if (/^def create_app\(/m.test(text)) return `${mod}:create_app()`;
  }
  return undefined;
}

function djangoModule(reader: FileReader): string | undefined {
  const settings = /DJANGO_SETTINGS_MODULE["']\s*,\s*["']([\w.]+)\.settings\b/.exec(
    reader.read('manage.py') ?? '',
  )?.[1];
  if (settings) return `${settings}.wsgi:application`;
  const dir = reader.list('').find((d) => reader.read(`${d}/wsgi.py`) !== undefined);
  return dir ? `${dir}.wsgi:application` : undefined;
}

function findPythonMigration(
  py: PythonProject,
  reader: FileReader,
): { command: string[]; origin: string } | undefined {
  if (py.deps.has('django') && reader.read('manage.py') !== undefined) {
    return { command: ['python', 'manage.py', 'migrate', '--noinput'], origin: 'manage.py migrate' };
  }
  if (reader.read('alembic.ini') !== undefined)
    return { command: ['alembic', 'upgrade', 'head'], origin: 'alembic.ini' };
  return undefined;
}

// ---- Dockerfile ---------------------------------------------------------------------------------

export interface DockerfileFacts {
  port?: number;
  healthPath?: string;
}

/** The port of the last EXPOSE and the HTTP path of a curl/wget HEALTHCHECK. */
export function dockerfileFacts(text: string): DockerfileFacts {
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  const facts: DockerfileFacts = {};
  for (const line of lines) {
    const expose = /^\s*EXPOSE\s+(\d+)(?:\/(?:tcp|udp))?\b/i.exec(line);
    const port = expose ? validPort(Number(expose[1])) : undefined;
    if (port !== undefined) facts.port = port;
    const health = /^\s*HEALTHCHECK\s+(.*)$/i.exec(line)?.[1];
    if (health !== undefined) {
      const path = healthPathFrom(health);
      if (path !== undefined) facts.healthPath = path;
      else delete facts.healthPath;
    }
  }
  return facts;
}

/** The path of the URL a curl or wget health command fetches. */
export function healthPathFrom(command: string): string | undefined {
  if (!/\b(curl|wget)\b/.test(command)) return undefined;
  const m = /https?:\/\/[^\s/'"]+(\/[^\s'"?#|;&)]*)?/.exec(command);
  if (!m) return undefined;
  return m[1] && m[1] !== '' ? m[1] : '/';
}

// ---- helpers ------------------------------------------------------------------------------------

/** The number when it is a usable TCP/UDP port. */
export function validPort(n: number): number | undefined {
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? n : undefined;
}

/** A plain object (not null, not an array): what JSON and YAML mappings become. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

function depOrigin(wants: Set<string>, candidates: string[]): string {
  return `uses ${candidates.filter((c) => wants.has(c)).join(', ')}`;
}
