/**
 * The chart's values, per environment. A template location that reads a value *binds* it: for each
 * environment where the location renders, the value it must hold there. Bindings of one path
 * must agree per environment (else the builder picks another path). An environment where nothing
 * reads a path does not care about it; `undefined` recorded for an environment means "must be
 * absent there" (a location that tests the value's presence).
 *
 * values.yaml holds each value common to every environment that cares about it; values-<env>.yaml
 * holds the rest. Helm merges them: the result is each environment's values, by construction.
 */
import { isDeepStrictEqual } from 'node:util';
import type { ValuePath } from './ir.ts';

/** What a value is, for the docs, the schema and the values.yaml comments. */
export type ValueRole = 'tunable' | 'switch' | 'derived';

export interface ValueMeta {
  role: ValueRole;
  description: string;
  /** Allowed values (JSON Schema enum). */
  enum?: readonly (string | number | boolean)[];
  minimum?: number;
  maximum?: number;
  /** JSON Schema for the value itself, when its type is not just what it holds. */
  schema?: Record<string, unknown>;
  /** Templates test whether it is set: never required (unset it with `--set key=null`). */
  presence?: boolean;
}

const ABSENT = Symbol('absent');
type Recorded = unknown | typeof ABSENT;

const keyOf = (p: ValuePath) => JSON.stringify(p);
const pathOf = (k: string) => JSON.parse(k) as string[];

export class ValueStore {
  private readonly recorded = new Map<string, Map<string, Recorded>>();
  private readonly metas = new Map<string, ValueMeta>();
  private pending: Map<string, Map<string, Recorded>> | undefined;

  readonly envs: readonly string[];
  constructor(envs: readonly string[]) {
    this.envs = envs;
  }

  /** Start collecting bindings that `commit` keeps and `rollback` forgets. */
  begin(): void {
    if (this.pending) throw new Error('internal: nested value transaction');
    this.pending = new Map();
  }
  commit(): void {
    for (const [k, m] of this.pending ?? []) {
      const cur = this.recorded.get(k) ?? new Map<string, Recorded>();
      for (const [e, v] of m) cur.set(e, v);
      this.recorded.set(k, cur);
    }
    this.pending = undefined;
  }
  rollback(): void {
    this.pending = undefined;
  }
  /** A savepoint inside the transaction. */
  mark(): Map<string, Map<string, Recorded>> {
    return new Map([...(this.pending ?? [])].map(([k, m]) => [k, new Map(m)]));
  }
  restore(mark: Map<string, Map<string, Recorded>>): void {
    this.pending = mark;
  }

  private current(k: string, env: string): Recorded | undefined {
    const p = this.pending?.get(k);
    if (p?.has(env)) return p.get(env);
    const r = this.recorded.get(k);
    return r?.has(env) ? r.get(env) : undefined;
  }
  private known(k: string): boolean {
    return this.recorded.has(k) || (this.pending?.has(k) ?? false);
  }

  /** Whether `path` may be bound beside the existing paths (no path is a prefix of another). */
  private fits(path: ValuePath): boolean {
    const all = new Set([...this.recorded.keys(), ...(this.pending?.keys() ?? [])]);
    for (const k of all) {
      const other = pathOf(k);
      const n = Math.min(other.length, path.length);
      if (other.length !== path.length && isDeepStrictEqual(other.slice(0, n), path.slice(0, n)))
        return false;
    }
    return true;
  }

  /**
   * Binds `path` to a value per environment (`undefined`: must be absent there). False, and
   * nothing recorded, when an environment already holds another value there.
   */
  bind(path: ValuePath, perEnv: ReadonlyMap<string, unknown>, meta: ValueMeta): boolean {
    const k = keyOf(path);
    if (!this.known(k) && !this.fits(path)) return false;
    for (const [env, v] of perEnv) {
      const cur = this.current(k, env);
      if (cur === undefined) continue;
      const want = v === undefined ? ABSENT : v;
      if (!(cur === want || (cur !== ABSENT && want !== ABSENT && isDeepStrictEqual(cur, want))))
        return false;
    }
    const target = this.pending ?? this.recorded;
    const m = target.get(k) ?? new Map<string, Recorded>();
    for (const [env, v] of perEnv) m.set(env, v === undefined ? ABSENT : structuredClone(v));
    target.set(k, m);
    if (!this.metas.has(k)) this.metas.set(k, meta);
    return true;
  }

  /** Whether the path is bound (committed or pending). */
  has(path: ValuePath): boolean {
    return this.known(keyOf(path));
  }

  meta(path: ValuePath): ValueMeta | undefined {
    return this.metas.get(keyOf(path));
  }

  /** Every environment's values as Helm sees them after merging (committed and pending). */
  valuesFor(env: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const keys = new Set([...this.recorded.keys(), ...(this.pending?.keys() ?? [])]);
    const d = this.defaultsMap();
    for (const k of keys) {
      const own = this.current(k, env);
      const v = own !== undefined ? own : d.get(k);
      if (v === undefined || v === ABSENT) continue;
      setPath(out, pathOf(k), structuredClone(v));
    }
    return out;
  }

  private defaultsMap(): Map<string, unknown> {
    const out = new Map<string, unknown>();
    const keys = new Set([...this.recorded.keys(), ...(this.pending?.keys() ?? [])]);
    for (const k of keys) {
      const seen = this.envs.map((e) => this.current(k, e)).filter((v) => v !== undefined);
      const first = seen[0];
      if (first === undefined || first === ABSENT) continue;
      if (seen.every((v) => v !== ABSENT && isDeepStrictEqual(v, first))) out.set(k, first);
    }
    return out;
  }

  /** values.yaml: what every environment that reads a value agrees on. */
  defaults(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of [...this.defaultsMap()].sort(([a], [b]) => cmpPath(a, b)))
      setPath(out, pathOf(k), structuredClone(v));
    return out;
  }

  /** values-<env>.yaml: what the environment needs beyond values.yaml. */
  overrides(env: string): Record<string, unknown> {
    const d = this.defaultsMap();
    const out: Record<string, unknown> = {};
    const keys = [...this.recorded.keys()].sort(cmpPath);
    for (const k of keys) {
      const v = this.current(k, env);
      if (v === undefined || v === ABSENT || d.has(k)) continue;
      setPath(out, pathOf(k), structuredClone(v));
    }
    return out;
  }

  /** Every bound path with its meta, sorted. */
  paths(): { path: string[]; meta: ValueMeta }[] {
    return [...this.recorded.keys()].sort(cmpPath).map((k) => ({
      path: pathOf(k),
      meta: this.metas.get(k) ?? { role: 'derived', description: '' },
    }));
  }

  /** The environments that hold the path (after merging). */
  setIn(path: ValuePath): string[] {
    return this.envs.filter((e) => {
      const own = this.current(keyOf(path), e);
      const v = own !== undefined ? own : this.defaultsMap().get(keyOf(path));
      return v !== undefined && v !== ABSENT;
    });
  }
}

function cmpPath(a: string, b: string): number {
  const pa = pathOf(a);
  const pb = pathOf(b);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i] as string;
    const y = pb[i] as string;
    if (x !== y) return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

export function setPath(root: Record<string, unknown>, path: readonly string[], v: unknown): void {
  let cur = root;
  path.forEach((seg, i) => {
    if (i === path.length - 1) {
      cur[seg] = v;
      return;
    }
    const next = cur[seg];
    if (next === undefined || next === null || typeof next !== 'object' || Array.isArray(next)) {
      const created: Record<string, unknown> = {};
      cur[seg] = created;
      cur = created;
    } else cur = next as Record<string, unknown>;
  });
}
