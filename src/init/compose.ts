/**
 * Importing a Docker Compose file: app services keep their build or pinned image, ports, health
 * check and environment; postgres and redis containers become dependencies; variables that look
 * like credentials become declared secrets, and their values are never copied.
 */
import { parseDocument } from 'yaml';
import { DEPENDENCY_DEFAULTS } from '../model/presets.ts';
import { imageProblem } from '../spec/semantics.ts';
import {
  type BuildSpec,
  type DetectedDependency,
  type DetectedPort,
  type DetectedSecret,
  type DetectedService,
  dockerfileFacts,
  type EnvValue,
  type FileReader,
  healthPathFrom,
  isRecord,
  type Report,
  ref,
  type SkippedService,
  validPort,
} from './detect.ts';
import { looksLikeSecret, MAX_PART_NAME, secretNameFor, toDnsLabel, uniqueName } from './names.ts';

export interface ComposeImport {
  services: DetectedService[];
  dependencies: DetectedDependency[];
  secrets: DetectedSecret[];
  skipped: SkippedService[];
  mainService?: string;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A URL with a password in it, as the spec checks define it. */
const URL_WITH_PASSWORD = /:\/\/[^/\s:@]+:[^@\s$]+@/;

interface Entry {
  composeName: string;
  def: Record<string, unknown>;
  image?: string;
  depType?: 'postgres' | 'redis';
  name: string;
}

/** Read a compose file's services; undefined (with a warning) when the file is not usable. */
export function importCompose(
  file: string,
  text: string,
  reader: FileReader,
  report: Report,
): ComposeImport | undefined {
  const doc = parseDocument(text, { merge: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]?.message.split('\n')[0] ?? 'syntax error';
    report.warnings.push(`${file} is not valid YAML (${first}); skipped it`);
    return undefined;
  }
  let root: unknown;
  try {
    root = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    report.warnings.push(`${file} could not be read (${(e as Error).message}); skipped it`);
    return undefined;
  }
  if (!isRecord(root) || !isRecord(root.services)) {
    report.warnings.push(`${file} has no services: mapping; skipped it`);
    return undefined;
  }

  // Names first, so environment values and depends_on can point at any service.
  const taken = new Set<string>();
  const entries: Entry[] = [];
  for (const [composeName, def] of Object.entries(root.services)) {
    if (!isRecord(def)) {
      report.warnings.push(`${file}: service ${composeName} is not a mapping; skipped it`);
      continue;
    }
    const image = typeof def.image === 'string' ? def.image : undefined;
    const depType = def.build === undefined && image ? dependencyType(image) : undefined;
    entries.push({
      composeName,
      def,
      ...(image ? { image } : {}),
      ...(depType ? { depType } : {}),
      name: '',
    });
  }
  for (const e of entries.filter((x) => !x.depType)) {
    e.name = uniqueName(toDnsLabel(e.composeName, MAX_PART_NAME) ?? 'service', taken, MAX_PART_NAME);
  }
  const preferred = { postgres: 'db', redis: 'cache' } as const;
  for (const e of entries) {
    if (!e.depType) continue;
    const want = preferred[e.depType];
    e.name = uniqueName(
      taken.has(want) ? (toDnsLabel(e.composeName, MAX_PART_NAME) ?? e.depType) : want,
      taken,
      MAX_PART_NAME,
    );
  }

  const secrets = new Map<string, DetectedSecret>();
  const dependencies: DetectedDependency[] = [];
  const services: DetectedService[] = [];
  const skipped: SkippedService[] = [];
  const skippedNames = new Set<string>();
  const byCompose = new Map(entries.map((e) => [e.composeName, e]));

  for (const e of entries.filter((x) => x.depType)) dependencies.push(dependencyFrom(e, file, report));

  // Ports first for every app service: env values may point at another one's address.
  const portsOf = new Map<string, DetectedPort[]>();
  const buildOf = new Map<string, BuildSpec>();
  for (const e of entries.filter((x) => !x.depType)) {
    const build = e.def.build === undefined ? undefined : buildFrom(e.def.build);
    const dockerfile = build ? dockerfileFor(build, reader) : undefined;
    let ports = portsFrom(e.def.ports, e.def.expose);
    if (ports.length === 0 && dockerfile?.port !== undefined)
      ports = [{ name: 'http', port: dockerfile.port }];
    portsOf.set(e.composeName, ports);
    if (build) buildOf.set(e.composeName, build);
    else if (!e.image || imageProblem(e.image)) skippedNames.add(e.composeName);
  }

  for (const e of entries.filter((x) => !x.depType)) {
    const { def, composeName, name } = e;
    const ports = portsOf.get(composeName) ?? [];
    const build = buildOf.get(composeName);
    if (!build && e.image && imageProblem(e.image)) {
      skipped.push({
        name,
        reason: `compose service ${composeName} uses image ${e.image}, which ${imageProblem(e.image)}`,
        service: { image: e.image, ...(ports.length ? { ports: portMap(ports) } : {}) },
      });
      report.notes.push(
        `TODO pin a version: compose service ${composeName} uses the unpinned image ${e.image}; it is written commented out — set a version tag and uncomment it`,
      );
      continue;
    }
    if (!build && !e.image) {
      report.warnings.push(`${file}: service ${composeName} has neither image nor build; skipped it`);
      continue;
    }
    const svc: DetectedService = {
      name,
      kind: ports.length > 0 ? 'web' : 'worker',
      ...(build ? { build } : { image: e.image ?? '' }),
      ports,
      env: {},
      uses: [],
      volumes: {},
      origin: `compose service ${composeName}${build ? ' (built from its Dockerfile)' : ''}`,
      todos: [],
    };
    if (ports.length === 0)
      svc.todos.push('no ports in the compose file: imported as a worker (serves no traffic)');
    const health =
      healthFrom(def.healthcheck) ?? (build ? dockerfileFor(build, reader)?.healthPath : undefined);
    if (health && ports.length > 0) svc.healthPath = health;
    const command = argv(def.entrypoint);
    const args = argv(def.command);
    // Compose's entrypoint/command are Kubernetes' command/args: the image's ENTRYPOINT and CMD.
    if (command) svc.command = command;
    if (args) svc.args = args;
    if (def.env_file !== undefined) {
      report.notes.push(
        `compose service ${composeName} reads an env_file; its variables were not imported — declare the ones it needs`,
      );
    }
    for (const [key, value] of envEntries(def.environment)) {
      const v = envValue(key, value, composeName, { byCompose, portsOf, skippedNames, secrets, report });
      if (v !== undefined) svc.env[key] = v;
    }
    svc.uses = dependsOn(def.depends_on)
      .filter((d) => !skippedNames.has(d))
      .map((d) => byCompose.get(d)?.name)
      .filter((n): n is string => n !== undefined && n !== name);
    if (dependsOn(def.depends_on).some((d) => skippedNames.has(d))) {
      report.notes.push(
        `compose service ${composeName} depends on a service that was not imported; add it to uses once it is`,
      );
    }
    for (const [vname, path] of namedVolumes(def.volumes, root.volumes, composeName, report)) {
      svc.volumes[toDnsLabel(vname, 63) ?? 'data'] = { path };
    }
    services.push(svc);
  }

  const main = services.find((s) => s.kind === 'web' && s.build) ?? services.find((s) => s.kind === 'web');
  return {
    services,
    dependencies,
    secrets: [...secrets.values()],
    skipped,
    ...(main ? { mainService: main.name } : {}),
  };
}

function dependencyType(image: string): 'postgres' | 'redis' | undefined {
  const repo = image.split('@')[0]?.replace(/:[^/]*$/, '') ?? '';
  const last = repo.split('/').pop() ?? '';
  if (/^(postgres|postgresql|postgis)$/.test(last)) return 'postgres';
  if (/^(redis|redis-stack|redis-stack-server)$/.test(last)) return 'redis';
  return undefined;
}

function dependencyFrom(e: Entry, file: string, report: Report): DetectedDependency {
  const type = e.depType ?? 'postgres';
  const image = e.image ?? '';
  const tag = /:([^/@]+)(@|$)/.exec(image.slice(image.lastIndexOf('/') + 1))?.[1];
  const version = imageProblem(image) === undefined ? /^(\d+(?:\.\d+)?)/.exec(tag ?? '')?.[1] : undefined;
  const dep: DetectedDependency = {
    name: e.name,
    type,
    version: version ?? DEPENDENCY_DEFAULTS[type].version,
    origin: `compose service ${e.composeName} (${image})`,
  };
  if (version === undefined) {
    report.notes.push(
      `compose service ${e.composeName} uses ${image} with no version Slipway can read; pinned ${type} to ${dep.version} — change it to the version you run`,
    );
  }
  const repo = image.replace(/[:@].*$/, '');
  if (version !== undefined && !/^((docker\.io\/)?library\/)?(postgres|redis)$/.test(repo)) {
    dep.image = image;
    report.notes.push(
      `dependency ${e.name} keeps the image ${image}; check that it runs like the official ${type} image`,
    );
  }
  const env = new Map(envEntries(e.def.environment));
  if (type === 'postgres') {
    const db = env.get('POSTGRES_DB');
    const user = env.get('POSTGRES_USER');
    if (typeof db === 'string' && /^\w+$/.test(db)) dep.database = db;
    if (typeof user === 'string' && /^\w+$/.test(user)) dep.user = user;
  }
  const dropped = [...env].filter(([k, v]) => looksLikeSecret(k, v)).map(([k]) => k);
  if (dropped.length > 0) {
    report.notes.push(
      `${file}: dropped ${dropped.join(', ')} of ${e.composeName}: Slipway creates the credentials of its dependencies; apps get them through \${dependencies.${e.name}.url}`,
    );
  }
  return dep;
}

function buildFrom(raw: unknown): BuildSpec {
  const def = isRecord(raw) ? raw : { context: raw };
  const context =
    typeof def.context === 'string' ? def.context.replace(/^\.\/+/, '').replace(/\/+$/, '') : '';
  const build: BuildSpec = { dockerfile: typeof def.dockerfile === 'string' ? def.dockerfile : 'Dockerfile' };
  if (context !== '' && context !== '.') build.context = context;
  if (typeof def.target === 'string') build.target = def.target;
  return build;
}

function dockerfileFor(build: BuildSpec, reader: FileReader) {
  const path = [build.context, build.dockerfile ?? 'Dockerfile']
    .filter((p) => p !== undefined && p !== '')
    .join('/');
  const text = reader.read(path);
  return text === undefined ? undefined : dockerfileFacts(text);
}

/** Container ports from `ports:` (short or long syntax) and `expose:`. */
function portsFrom(ports: unknown, expose: unknown): DetectedPort[] {
  const found: { port: number; udp: boolean }[] = [];
  const add = (raw: unknown) => {
    if (typeof raw === 'number') {
      const p = validPort(raw);
      if (p !== undefined) found.push({ port: p, udp: false });
    } else if (typeof raw === 'string') {
      const [spec = '', proto = 'tcp'] = raw.split('/');
      const container = spec.split(':').pop() ?? '';
      const p = validPort(Number(container.split('-')[0]));
      if (p !== undefined) found.push({ port: p, udp: proto.toLowerCase() === 'udp' });
    } else if (isRecord(raw)) {
      const p = validPort(Number(raw.target));
      if (p !== undefined)
        found.push({ port: p, udp: String(raw.protocol ?? 'tcp').toLowerCase() === 'udp' });
    }
  };
  for (const list of [ports, expose]) if (Array.isArray(list)) list.forEach(add);
  const out: DetectedPort[] = [];
  const seen = new Set<string>();
  for (const { port, udp } of found) {
    const key = `${port}/${udp}`;
    if (seen.has(key) || out.some((o) => o.port === port)) continue;
    seen.add(key);
    const name = udp ? `udp-${port}` : out.some((o) => o.name === 'http') ? `http-${port}` : 'http';
    out.push({ name, port, ...(udp ? { protocol: 'UDP' as const } : {}) });
  }
  return out;
}

function portMap(ports: DetectedPort[]): Record<string, number | { port: number; protocol: 'UDP' }> {
  return Object.fromEntries(
    ports.map((p) => [p.name, p.protocol ? { port: p.port, protocol: p.protocol } : p.port]),
  );
}

function healthFrom(hc: unknown): string | undefined {
  if (!isRecord(hc) || hc.disable === true) return undefined;
  const test = Array.isArray(hc.test)
    ? hc.test.map(String).join(' ')
    : typeof hc.test === 'string'
      ? hc.test
      : '';
  return healthPathFrom(test);
}

/** A command as a list; a string is split on spaces, or run by a shell when it has quotes or operators. */
function argv(raw: unknown): string[] | undefined {
  if (Array.isArray(raw)) return raw.length > 0 ? raw.map(String) : undefined;
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  if (/["'`$|&;<>()\\]/.test(raw)) return ['sh', '-c', raw];
  return raw.trim().split(/\s+/);
}

/** `environment:` as a map or a KEY=value list; a bare KEY has the value null (passed from the shell). */
function envEntries(raw: unknown): [string, unknown][] {
  if (isRecord(raw)) return Object.entries(raw);
  if (!Array.isArray(raw)) return [];
  return raw
    .filter((x): x is string => typeof x === 'string')
    .map((x) => {
      const eq = x.indexOf('=');
      return eq === -1 ? [x, null] : [x.slice(0, eq), x.slice(eq + 1)];
    });
}

interface EnvContext {
  byCompose: Map<string, Entry>;
  portsOf: Map<string, DetectedPort[]>;
  skippedNames: Set<string>;
  secrets: Map<string, DetectedSecret>;
  report: Report;
}

/** The spec value for one compose variable, or undefined to leave it out (with a note). */
function envValue(key: string, value: unknown, from: string, ctx: EnvContext): EnvValue | undefined {
  const { report } = ctx;
  if (!ENV_NAME.test(key)) {
    report.notes.push(`compose service ${from}: variable name "${key}" is not valid in a spec; left it out`);
    return undefined;
  }
  const asSecret = () => {
    const name = secretNameFor(key);
    if (!ctx.secrets.has(name))
      ctx.secrets.set(name, { name, description: `${key} (from compose service ${from})` });
    return ref(`secrets.${name}`);
  };
  // A credential's value never reaches the spec, whatever it is.
  if (looksLikeSecret(key, value)) return asSecret();
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value !== 'string') {
    report.notes.push(
      value === null || value === undefined
        ? `compose service ${from}: ${key} takes its value from the shell; set it in the spec or declare it as a secret`
        : `compose service ${from}: ${key} has a value that is not text; left it out`,
    );
    return undefined;
  }

  const target = (host: string) => {
    const e = [...ctx.byCompose.values()].find((x) => x.composeName === host);
    if (!e || ctx.skippedNames.has(host)) return undefined;
    if (e.depType) return { section: 'dependencies', name: e.name };
    return (ctx.portsOf.get(host)?.length ?? 0) > 0 ? { section: 'services', name: e.name } : undefined;
  };
  const url = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/\s]*@)?([^:/?#\s]+)(?::\d+)?(\/[^\s]*)?$/i.exec(value);
  if (url?.[1]) {
    const t = target(url[1]);
    // A dependency's URL is Slipway's to make (its credentials and database); a service's only without a path.
    if (t?.section === 'dependencies') return ref(`dependencies.${t.name}.url`);
    if (t?.section === 'services' && (url[2] ?? '/') === '/') return ref(`services.${t.name}.url`);
  }
  if (URL_WITH_PASSWORD.test(value)) return asSecret();
  if (value.includes('$')) {
    report.notes.push(
      `compose service ${from}: ${key} is interpolated by compose (\${…}); set its value by hand`,
    );
    return undefined;
  }
  const host = target(value);
  if (host) return ref(`${host.section}.${host.name}.host`);
  return value;
}

function dependsOn(raw: unknown): string[] {
  if (Array.isArray(raw)) return raw.filter((x): x is string => typeof x === 'string');
  if (isRecord(raw)) return Object.keys(raw);
  return [];
}

/** Named volumes (`data:/var/lib/data`), which keep data; bind mounts are development conveniences. */
function namedVolumes(raw: unknown, declared: unknown, from: string, report: Report): [string, string][] {
  if (!Array.isArray(raw)) return [];
  const out: [string, string][] = [];
  let binds = 0;
  for (const v of raw) {
    let source: string | undefined;
    let target: string | undefined;
    if (typeof v === 'string') [source, target] = v.split(':');
    else if (isRecord(v) && v.type === 'volume')
      [source, target] = [String(v.source ?? ''), String(v.target ?? '')];
    else if (isRecord(v)) binds++;
    if (typeof v === 'string' && target === undefined) continue;
    if (!source || !target?.startsWith('/')) continue;
    if (/^[./~]/.test(source) || (isRecord(declared) ? !(source in declared) : true)) binds++;
    else out.push([source, target]);
  }
  if (binds > 0)
    report.notes.push(
      `compose service ${from} mounts host folders; those were not imported (use files: for config files)`,
    );
  return out;
}
