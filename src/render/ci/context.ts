/**
 * What the workflows are made of, read from the models of every environment of one spec: where
 * the spec lives in the repository, the test jobs (one per runtime, context and version among the
 * services Slipway builds), the throwaway dependencies those tests run against, how the Slipway
 * CLI itself is installed, and per deploying environment its registry, images and trigger.
 */
import { posix } from 'node:path';
import type { DependencyModel, DependencyType, Model, ServiceModel } from '../../model/types.ts';
import { dockerfilePath } from '../docker/index.ts';
import { type PackageManager, packageManager } from '../docker/package-manager.ts';
import { presetBuild } from '../docker/presets.ts';
import { exprString, id, literal } from './text.ts';

// ---------------------------------------------------------------------------------------------------------
// The spec in the repository

export interface SpecPaths {
  /** The spec from the repository root, normalised (`slipway.yaml`, `apps/shop/slipway.yaml`). */
  spec: string;
  /** Its folder from the root (`.` at the root): where every Slipway command runs. */
  dir: string;
  /** Its file name, as the commands run in `dir` name it. */
  file: string;
}

export function specPaths(specPath: string): SpecPaths {
  const spec = posix.normalize(specPath.replaceAll('\\', '/'));
  if (spec.startsWith('/') || spec === '..' || spec.startsWith('../') || spec === '.' || spec.endsWith('/'))
    throw new Error(`specPath must be a file path relative to the repository root, got "${specPath}"`);
  return { spec, dir: posix.dirname(spec), file: posix.basename(spec) };
}

/** A path relative to the spec folder, seen from the repository root (where actions resolve paths). */
export function fromRoot(paths: SpecPaths, p: string): string {
  return posix.normalize(posix.join(paths.dir, p));
}

/** `working-directory` for a step that runs in a folder relative to the root (none at the root). */
export function workingDirectory(dirFromRoot: string): { 'working-directory'?: string } {
  return dirFromRoot === '.' ? {} : { 'working-directory': literal(dirFromRoot) };
}

// ---------------------------------------------------------------------------------------------------------
// Which model decides

/**
 * Environments that CI deploys come first (what production runs decides what tests run against),
 * then the others, each group in the order given.
 */
export function byPriority(models: readonly Model[]): Model[] {
  return [...models.filter(deploys), ...models.filter((m) => !deploys(m))];
}

/** Environments deployed by CI (a `deployOn` with a branch or a tag), in the order given. */
export function deployEnvironments(models: readonly Model[]): Model[] {
  return models.filter(deploys);
}

function deploys(m: Model): boolean {
  const on = m.environment.deployOn;
  return Boolean(on?.branch || on?.tag);
}

// ---------------------------------------------------------------------------------------------------------
// Node tooling

export type Runtime = 'node' | 'python';

export function runtimeOf(svc: ServiceModel): Runtime | undefined {
  const preset = presetBuild(svc)?.preset;
  if (preset === undefined) return undefined;
  return preset === 'python' ? 'python' : 'node';
}

export interface NodeInstall {
  pm: PackageManager;
  install: string;
  /** The lockfile the install reads, relative to the root, when the install is a frozen one (cache key). */
  lockfile?: string;
  /** Where the install runs, relative to the root. */
  dir: string;
}

const LOCKFILES: Record<PackageManager, string> = {
  npm: 'package-lock.json',
  yarn: 'yarn.lock',
  pnpm: 'pnpm-lock.yaml',
};

export function nodeInstall(install: string, dirFromRoot: string): NodeInstall {
  const pm = packageManager(install);
  const frozen =
    pm === 'npm'
      ? /^npm\s+(ci|clean-install)(\s|$)/.test(install.trim())
      : /--frozen-lockfile|--immutable/.test(install);
  return {
    pm,
    install,
    dir: dirFromRoot,
    ...(frozen ? { lockfile: posix.join(dirFromRoot, LOCKFILES[pm]) } : {}),
  };
}

/**
 * How the Slipway CLI gets installed: it is a devDependency of the package in the spec's folder,
 * installed the way the Node service built from that folder installs (`npm ci` when none is).
 */
export function slipwayInstall(models: readonly Model[], paths: SpecPaths): NodeInstall {
  const root = chosenServices(models).find(
    (s) => runtimeOf(s) === 'node' && posix.normalize(s.build?.context ?? '.') === '.',
  );
  return nodeInstall(root?.build?.install || 'npm ci', paths.dir);
}

// ---------------------------------------------------------------------------------------------------------
// Test jobs

export interface CiDependency {
  name: string;
  type: DependencyType;
  version: string;
  user: string;
  database: string;
  /** The port on the runner (service containers of one type get consecutive ports). */
  port: number;
  containerPort: number;
}

export interface TestGroup {
  jobId: string;
  runtime: Runtime;
  /** The build context, relative to the spec folder. */
  context: string;
  version: string;
  install: string;
  services: ServiceModel[];
  dependencies: CiDependency[];
}

const CONTAINER_PORTS: Record<DependencyType, number> = { postgres: 5432, redis: 6379 };

/** One model per service name, with a runtime preset, from the environment with the highest priority. */
function chosenServices(models: readonly Model[]): ServiceModel[] {
  const chosen = new Map<string, ServiceModel>();
  for (const m of byPriority(models))
    for (const s of m.services)
      if (!s.imageFrom && presetBuild(s) && !chosen.has(s.name)) chosen.set(s.name, s);
  return [...chosen.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Services built with a preset, grouped by runtime, build context, runtime version and install command. */
export function testGroups(models: readonly Model[]): TestGroup[] {
  const groups = new Map<string, Omit<TestGroup, 'jobId' | 'dependencies'>>();
  for (const s of chosenServices(models)) {
    const runtime = runtimeOf(s);
    const b = s.build;
    if (!runtime || !b) continue;
    const context = posix.normalize(b.context);
    const key = JSON.stringify([runtime, context, b.runtimeVersion, b.install]);
    const g = groups.get(key);
    if (g) g.services.push(s);
    else groups.set(key, { runtime, context, version: b.runtimeVersion, install: b.install, services: [s] });
  }
  const list = [...groups.values()];
  return list.map((g) => {
    const alone = list.filter((x) => x.runtime === g.runtime).length === 1;
    return {
      ...g,
      jobId: id(alone ? `test-${g.runtime}` : `test-${g.runtime}-${g.services[0]?.name ?? ''}`),
      dependencies: ciDependencies(models, g.services),
    };
  });
}

/**
 * The dependencies the services talk to in any environment (their communication graph), each as
 * its highest-priority environment runs it; a dependency only ever run as SQLite gets no container.
 */
function ciDependencies(models: readonly Model[], services: readonly ServiceModel[]): CiDependency[] {
  const names = new Set(services.map((s) => s.name));
  const used = new Set<string>();
  for (const m of models)
    for (const e of m.graph) if (e.toKind === 'dependency' && names.has(e.from)) used.add(e.to);
  const next: Record<DependencyType, number> = { ...CONTAINER_PORTS };
  const out: CiDependency[] = [];
  for (const name of [...used].sort()) {
    let d: DependencyModel | undefined;
    for (const m of byPriority(models)) {
      d = m.dependencies.find((x) => x.name === name && x.mode !== 'sqlite');
      if (d) break;
    }
    if (!d) continue;
    const app = models[0]?.app.name.replace(/-/g, '_') ?? 'app';
    out.push({
      name: d.name,
      type: d.type,
      version: d.version,
      user: literal(d.user ?? app),
      database: literal(d.database ?? app),
      port: next[d.type]++,
      containerPort: CONTAINER_PORTS[d.type],
    });
  }
  return out;
}

/** The password of the throwaway test database: different on every run and attempt, never a secret. */
export const TEST_PASSWORD = 'ci-${{ github.run_id }}-${{ github.run_attempt }}';

function dependencyValue(d: CiDependency, property: string): string | undefined {
  const host = 'localhost';
  if (d.type === 'postgres') {
    switch (property) {
      case 'host':
        return host;
      case 'port':
        return String(d.port);
      case 'user':
        return d.user;
      case 'database':
        return d.database;
      case 'password':
        return TEST_PASSWORD;
      case 'url':
        return `postgresql://${d.user}:${TEST_PASSWORD}@${host}:${d.port}/${d.database}`;
    }
    return undefined;
  }
  switch (property) {
    case 'host':
      return host;
    case 'port':
      return String(d.port);
    case 'database':
      return '0';
    case 'url':
      return `redis://${host}:${d.port}`;
  }
  return undefined;
}

/**
 * The test job's environment: every variable of its services that is made of dependency references
 * (`DATABASE_URL: ${dependencies.db.url}`), pointed at the service containers on localhost; then
 * DATABASE_URL / REDIS_URL for a single dependency of that type, where no service names them.
 * Variables that need a secret or another service are left out: tests get no real credential.
 */
export function testEnvironment(group: TestGroup): Record<string, string> {
  const env = new Map<string, string>();
  const deps = new Map(group.dependencies.map((d) => [d.name, d]));
  for (const s of group.services) {
    for (const v of s.env) {
      if (v.value.kind !== 'template' || env.has(v.name)) continue;
      let value = '';
      let ok = true;
      for (const p of v.value.parts) {
        if ('text' in p) value += literal(p.text);
        else if ('dependency' in p) {
          const d = deps.get(p.dependency);
          const x = d ? dependencyValue(d, p.property) : undefined;
          if (x === undefined) ok = false;
          else value += x;
        } else ok = false;
      }
      if (ok) env.set(v.name, value);
    }
  }
  for (const [type, name] of [
    ['postgres', 'DATABASE_URL'],
    ['redis', 'REDIS_URL'],
  ] as const) {
    const ofType = group.dependencies.filter((d) => d.type === type);
    const only = ofType[0];
    if (ofType.length === 1 && only && !env.has(name)) env.set(name, dependencyValue(only, 'url') ?? '');
  }
  return Object.fromEntries([...env].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

// ---------------------------------------------------------------------------------------------------------
// Images and registries

export interface Registry {
  /** `ghcr.io/${{ github.repository_owner }}` when the spec names no registry. */
  prefix: string;
  /** The host to log in to; undefined for Docker Hub. */
  host?: string;
  ghcr: boolean;
  /** True when the spec names no registry, so deploys must be told the default one. */
  isDefault: boolean;
}

export const DEFAULT_REGISTRY = 'ghcr.io/${{ github.repository_owner }}';

export function registryOf(model: Model): Registry {
  const r = model.environment.images.registry;
  if (!r) return { prefix: DEFAULT_REGISTRY, host: 'ghcr.io', ghcr: true, isDefault: true };
  const clean = r.replace(/\/+$/, '');
  const first = clean.split('/')[0] ?? '';
  const isHost = first.includes('.') || first.includes(':') || first === 'localhost';
  return {
    prefix: literal(clean),
    ...(isHost ? { host: literal(first) } : {}),
    ghcr: first === 'ghcr.io',
    isDefault: false,
  };
}

export interface BuiltImage {
  service: string;
  /** Repository without tag, e.g. `ghcr.io/your-org/vibeyard-web`. */
  repository: string;
  /** Build context and Dockerfile, relative to the root. */
  context: string;
  dockerfile: string;
  /** True when the Dockerfile is the one Slipway generates (so the job renders it first). */
  generated: boolean;
  target?: string;
  args: [string, string][];
  /** Services that run this image (`imageFrom`). */
  reusedBy: string[];
}

function repositoryOf(image: string): string {
  const noDigest = image.split('@')[0] ?? image;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

/** Every image the environment builds: services with a `build` that do not reuse another's image. */
export function builtImages(model: Model, paths: SpecPaths): BuiltImage[] {
  const registry = registryOf(model);
  return model.services
    .filter((s) => s.build && !s.imageFrom)
    .map((s) => {
      const b = s.build as NonNullable<ServiceModel['build']>;
      const generated = presetBuild(s) !== undefined;
      const dockerfile = generated
        ? `deploy/${model.environment.name}/${dockerfilePath(s.name)}`
        : posix.join(b.context, b.dockerfile ?? 'Dockerfile');
      const repo = repositoryOf(s.image);
      return {
        service: s.name,
        repository: registry.isDefault ? `${DEFAULT_REGISTRY}/${literal(repo)}` : literal(repo),
        context: literal(fromRoot(paths, b.context)),
        dockerfile: literal(fromRoot(paths, dockerfile)),
        generated,
        ...(b.target ? { target: literal(b.target) } : {}),
        args: Object.entries(b.args)
          .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
          .map(([k, v]) => [literal(k), literal(v)] as [string, string]),
        reusedBy: model.services.filter((x) => x.imageFrom === s.name).map((x) => x.name),
      };
    });
}

// ---------------------------------------------------------------------------------------------------------
// Triggers

/** `github.ref` matching a branch or tag pattern: exact names, or `*` wildcards (as prefix/contains/suffix). */
function refMatches(kind: 'heads' | 'tags', pattern: string): string {
  const prefix = `refs/${kind}/`;
  if (!pattern.includes('*')) return `github.ref == ${exprString(prefix + pattern)}`;
  const parts = pattern.split(/\*+/);
  const conds = [`startsWith(github.ref, ${exprString(prefix + (parts[0] ?? ''))})`];
  for (const mid of parts.slice(1, -1)) if (mid) conds.push(`contains(github.ref, ${exprString(mid)})`);
  const last = parts.length > 1 ? parts[parts.length - 1] : '';
  if (last) conds.push(`endsWith(github.ref, ${exprString(last)})`);
  return conds.join(' && ');
}

/** The push that deploys an environment: its branch, its tag, or either. */
export function deployRefCondition(on: { branch?: string; tag?: string }): string {
  const alts = [
    ...(on.branch ? [refMatches('heads', on.branch)] : []),
    ...(on.tag ? [refMatches('tags', on.tag)] : []),
  ];
  if (alts.length === 0) return 'false';
  if (alts.length === 1) return alts[0] as string;
  return alts.map((a) => `(${a})`).join(' || ');
}

export function uniqueSorted(xs: readonly (string | undefined)[]): string[] {
  return [...new Set(xs.filter((x): x is string => x !== undefined && x !== ''))].sort();
}
