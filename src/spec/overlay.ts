/**
 * Environment overlays: the base spec with one environment's overrides deep-merged over it, and
 * the provenance of every value (which layer, file and line set it) — asked for lazily, by path,
 * from the YAML document, so nothing is copied or precomputed.
 *
 * Merge rules: mappings merge key by key; lists and scalars replace; `patches` lists append
 * (base patches first); an environment's `hosts` replaces `ingress.hosts`.
 */
import type { LoadedSpec } from './loader.ts';
import { findNode, formatSpecPath, pointAt, type SpecPath } from './positions.ts';
import type {
  BackupSpec,
  DependencySpec,
  EnvironmentSpec,
  ImagesSpec,
  IngressSpec,
  MonitoringSpec,
  PatchesSpec,
  SecuritySpec,
  ServiceSpec,
  Spec,
} from './schema.ts';

/** One environment's view of the spec: what renderers and checks read. */
export interface EffectiveSpec {
  env: string;
  app: Spec['app'];
  environment: EnvironmentSpec;
  services: Record<string, ServiceSpec>;
  dependencies: Record<string, DependencySpec>;
  ingress: IngressSpec;
  secrets: NonNullable<Spec['secrets']>;
  monitoring: MonitoringSpec;
  backup: BackupSpec;
  security: SecuritySpec;
  images: ImagesSpec;
  patches: PatchesSpec;
}

export function effectiveSpec(spec: Spec, env: string): EffectiveSpec {
  const e: EnvironmentSpec = spec.environments[env] ?? {};
  const ingress = deepMerge(spec.ingress ?? {}, e.ingress ?? {});
  if (e.hosts) ingress.hosts = [...e.hosts];
  return {
    env,
    app: spec.app,
    environment: e,
    services: deepMerge(spec.services, known(e.services, spec.services)),
    dependencies: deepMerge(spec.dependencies ?? {}, known(e.dependencies, spec.dependencies ?? {})),
    ingress,
    secrets: spec.secrets ?? {},
    monitoring: deepMerge(spec.monitoring ?? {}, e.monitoring ?? {}),
    backup: deepMerge(spec.backup ?? {}, e.backup ?? {}),
    security: deepMerge(spec.security ?? {}, e.security ?? {}),
    images: deepMerge(spec.images ?? {}, e.images ?? {}),
    patches: {
      kubernetes: [...(spec.patches?.kubernetes ?? []), ...(e.patches?.kubernetes ?? [])],
      compose: [...(spec.patches?.compose ?? []), ...(e.patches?.compose ?? [])],
    },
  };
}

/** Overlay entries for names the base defines; others are reported as unknown-overlay-target, not merged. */
function known<T>(over: Record<string, T> | undefined, base: Record<string, unknown>): Record<string, T> {
  return Object.fromEntries(Object.entries(over ?? {}).filter(([k]) => k in base));
}

/** Mappings merge; everything else in `over` replaces. Neither input is modified. */
export function deepMerge<T>(base: T, over: unknown): T {
  if (!isPlainObject(base) || !isPlainObject(over))
    return (over === undefined ? clone(base) : clone(over)) as T;
  const out: Record<string, unknown> = { ...(clone(base) as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    out[k] = k in out ? deepMerge(out[k], v) : clone(v);
  }
  return out as T;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function clone<T>(v: T): T {
  return v === undefined ? v : structuredClone(v);
}

export interface Origin {
  /** `base`, `environments.<name>`, or `default`. */
  layer: string;
  /** The spec path in that layer, dotted. */
  specPath: string;
  offset: number;
  endOffset?: number;
}

/** Where values of one environment's effective spec came from. */
export class Provenance {
  readonly loaded: LoadedSpec;
  readonly env: string;

  constructor(loaded: LoadedSpec, env: string) {
    this.loaded = loaded;
    this.env = env;
  }

  /** The layers that wrote a value at `path` (an effective path), lowest first. */
  origins(path: SpecPath): Origin[] {
    const out: Origin[] = [];
    for (const [layer, specPath] of this.#candidates(path)) {
      const span = findNode(this.loaded.doc, specPath);
      if (span.depth === specPath.length) {
        const p = pointAt(span, 'value');
        const o: Origin = { layer, specPath: formatSpecPath(specPath), offset: p.start };
        if (p.end !== undefined) o.endOffset = p.end;
        out.push(o);
      }
    }
    return out;
  }

  /** Offset to point at for a problem with the value at `path`: the layer that set it last, or
   *  the deepest part of the path that exists in any layer. */
  locate(path: SpecPath, prefer: 'key' | 'value' = 'value'): { start: number; end?: number } {
    let best: { depth: number; at: { start: number; end?: number } } = { depth: -1, at: { start: 0 } };
    for (const [, specPath] of this.#candidates(path)) {
      const span = findNode(this.loaded.doc, specPath);
      const depthInPath = span.depth - (specPath.length - path.length);
      if (depthInPath >= best.depth) best = { depth: depthInPath, at: pointAt(span, prefer) };
    }
    return best.at;
  }

  #candidates(path: SpecPath): [string, SpecPath][] {
    const envLayer = `environments.${this.env}`;
    const envRoot = ['environments', this.env];
    const [head, ...rest] = path;
    if (head === 'environment') return [[envLayer, [...envRoot, ...rest]]];
    if (head === 'ingress' && rest[0] === 'hosts') {
      return [
        ['base', path],
        [envLayer, [...envRoot, 'ingress', ...rest]],
        [envLayer, [...envRoot, 'hosts', ...rest.slice(1)]],
      ];
    }
    if (head === 'app' || head === 'secrets') return [['base', path]];
    return [
      ['base', path],
      [envLayer, [...envRoot, ...path]],
    ];
  }
}
