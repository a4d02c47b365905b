/**
 * Slipway's objects → templates. Every environment is rendered by the Kubernetes renderer; the
 * instances of one object (same kind and name) are merged into one template:
 *
 *   - fields every environment agrees on stay literal, except the structural ones (namespace →
 *     `.Release.Namespace`, names and labels → the _helpers.tpl helpers);
 *   - tunables (images, replicas, resources, autoscaling, ingress hosts and TLS) always read a
 *     value, at a semantic path (`services.web.replicas`);
 *   - anything else that differs reads a *derived* value (`services.web.env`, `…configChecksum`,
 *     `derived.<kind>.<name>.<field>`), strings first trying to differ only by namespace or
 *     environment name (dashboards, PromQL), which are then written into the string;
 *   - an object, field or list item present in some environments only is wrapped in the feature
 *     switch that explains it (switches.ts).
 *
 * Each template is then evaluated with each environment's values (ir.ts) and must reproduce that
 * environment's object exactly; if it does not, the object falls back to one whole derived value,
 * which reproduces it trivially. The invariant therefore holds by construction.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Model } from '../../model/types.ts';
import { contentHash, objectName, selectorLabels, labels as slipwayLabels } from '../kubernetes/_names.ts';
import type { KubeObject } from '../kubernetes/_object.ts';
import { ingressHosts } from '../kubernetes/ingress.ts';
import {
  type Atom,
  type Cond,
  componentName,
  type Entry,
  evalAtom,
  evalCond,
  type Item,
  lit,
  type Node,
  type Raw,
  renders,
  TemplateError,
  truthy,
  type ValuePath,
} from './ir.ts';
import {
  fieldCandidates,
  itemCandidates,
  type ObjectRole,
  objectCandidates,
  roleOf,
  type SwitchDef,
} from './switches.ts';
import { setPath, type ValueMeta, type ValueStore } from './values.ts';

export interface ChartBuild {
  app: string;
  appVersion?: string;
  /** Every kubernetes environment, in spec order. */
  envs: string[];
  models: Map<string, Model>;
  store: ValueStore;
  switches: Map<string, SwitchDef>;
  defines: Map<string, Node>;
  /** Objects that fell back to a whole derived value, for the notes. */
  fallbacks: string[];
}

export interface ObjectTemplate {
  kind: string;
  name: string;
  short: string;
  file: string;
  node: Node;
  cond: Cond;
  /** Named templates written in the object's file. */
  defines: string[];
  present: string[];
}

/** A path inside an object: map keys, and list items (`item`: the item's name in a named list). */
type Seg = string | { item: string | null };
type Path = readonly Seg[];
const isItem = (s: Seg | undefined): s is { item: string | null } => typeof s === 'object' && s !== null;
/** The path as text, list items as `[]`: what recognizers match on. */
const pat = (p: Path) => p.map((s) => (isItem(s) ? '[]' : s)).join('.');
/** Map keys only. */
const keysOf = (p: Path) => p.filter((s): s is string => !isItem(s));
/** Map keys and item names: a value path. */
const named = (p: Path) => p.flatMap((s) => (isItem(s) ? (s.item === null ? [] : [s.item]) : [s]));
class NeedWhole extends Error {}
class StrictViolation extends Error {}

interface Obj {
  b: ChartBuild;
  kind: string;
  name: string;
  short: string;
  role: ObjectRole;
  scope: string[];
  instances: Map<string, KubeObject>;
  strict: number;
  defines: string[];
}
type Vals = Map<string, unknown>;

const isMap = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);
const allEqual = (vs: unknown[]) => vs.every((v) => isDeepStrictEqual(v, vs[0]));
const kindCamel = (k: string) => k.charAt(0).toLowerCase() + k.slice(1);

/** The identity of an object across environments: kind and name (Jobs: their component, since their name carries a content hash). */
export function logicalKey(o: KubeObject): string {
  if (o.kind === 'Namespace') return 'Namespace';
  if (o.kind === 'Job') return `Job/${o.metadata.labels?.['app.kubernetes.io/component'] ?? o.metadata.name}`;
  return `${o.kind}/${o.metadata.name}`;
}

export function shortName(o: KubeObject, app: string): string {
  if (o.kind === 'Namespace') return 'namespace';
  const n =
    o.kind === 'Job'
      ? (o.metadata.labels?.['app.kubernetes.io/component'] ?? o.metadata.name)
      : o.metadata.name;
  if (n === app) return app;
  return n.startsWith(`${app}-`) ? n.slice(app.length + 1) : n;
}

function metaDerived(o: Obj, path: Path, presence = false): ValueMeta {
  return {
    role: 'derived',
    ...(presence ? { presence } : {}),
    description: `Derived by Slipway (${o.kind} ${o.name}${path.length > 0 ? `, ${named(path).join('.')}` : ''}): differs between environments; change slipway.yaml and re-render instead of editing it.`,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Switches

function switchValues(b: ChartBuild, path: ValuePath): Map<string, unknown> | undefined {
  const def = b.switches.get(JSON.stringify(path));
  if (!def) return undefined;
  return new Map(b.envs.map((e) => [e, def.value(b.models.get(e) as Model)]));
}

function atomTruth(b: ChartBuild, a: Atom, env: string): boolean {
  const v = switchValues(b, a.path)?.get(env);
  const values: Record<string, unknown> = {};
  setPath(values, a.path, v);
  return evalAtom(a, values);
}

/**
 * The first candidate whose truth per environment is exactly `presence` over `universe`, with its
 * switches bound. Atoms true everywhere are dropped, except tunable feature switches when `keepFeatures`.
 */
function chooseCond(
  b: ChartBuild,
  options: Cond[],
  presence: ReadonlySet<string>,
  universe: readonly string[],
  keepFeatures: boolean,
): Cond | undefined {
  for (const opt of options) {
    if (!opt.every((a) => b.switches.has(JSON.stringify(a.path)))) continue;
    if (!universe.every((e) => opt.every((a) => atomTruth(b, a, e)) === presence.has(e))) continue;
    const final = opt.filter(
      (a) =>
        (keepFeatures && b.switches.get(JSON.stringify(a.path))?.feature) ||
        !universe.every((e) => atomTruth(b, a, e)),
    );
    if (final.length === 0 && presence.size !== universe.length) continue;
    const mark = b.store.mark();
    let ok = true;
    for (const a of final) {
      const def = b.switches.get(JSON.stringify(a.path)) as SwitchDef;
      if (!b.store.bind(a.path, switchValues(b, a.path) as Vals, def.meta)) ok = false;
    }
    if (ok) return final;
    b.store.restore(mark);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Values

function tunable(
  o: Obj,
  path: ValuePath,
  vals: Vals,
  meta: Omit<ValueMeta, 'role'>,
  shape: 'scalar' | 'block' = 'scalar',
  asString = false,
): Node | undefined {
  if (!o.b.store.bind(path, vals, { role: 'tunable', ...meta })) return undefined;
  if (shape === 'block') return { k: 'block', path };
  return { k: 'expr', x: { e: 'value', path, ...(asString ? { asString: true } : {}) } };
}

/** The semantic name of a derived value; `undefined` when only the generic one applies. */
function derivedName(o: Obj, path: Path): string[] | undefined {
  const k = keysOf(path);
  const scope = o.scope;
  const workload = ['Deployment', 'Rollout', 'Job', 'CronJob', 'StatefulSet'].includes(o.kind);
  if (workload && scope.length > 0) {
    const start = o.kind === 'CronJob' ? 4 : 2; // spec.jobTemplate.spec.template | spec.template
    const inPod = o.kind === 'CronJob' ? k[1] === 'jobTemplate' && k[3] === 'template' : k[1] === 'template';
    const rel = path.slice(start);
    const relKeys = keysOf(rel);
    if (inPod && relKeys.join('.') === 'metadata.annotations.checksum/config')
      return [...scope, 'configChecksum'];
    // containers[<name>].<field>…: every Slipway pod has one container, named after its component.
    if (inPod && rel[0] === 'spec' && rel[1] === 'containers' && isItem(rel[2]) && rel.length > 3)
      return [...scope, ...named(rel.slice(3))];
  }
  if (o.kind === 'ConfigMap' && scope.length > 0 && k[0] === 'data' && k.length <= 2) {
    if (o.name.endsWith('-env')) return [...scope, 'config', ...k.slice(1)];
    if (o.name.endsWith('-files')) return [...scope, 'files', ...k.slice(1)];
  }
  if (
    o.kind === 'PersistentVolumeClaim' &&
    scope.length > 0 &&
    k.join('.') === 'spec.resources.requests.storage'
  )
    return [...scope, 'volumes', o.short.replace(`${scope[1]}-`, ''), 'size'];
  if (
    o.kind === 'StatefulSet' &&
    scope.length > 0 &&
    pat(path) === 'spec.volumeClaimTemplates.[].spec.resources.requests.storage'
  )
    return [...scope, 'storage'];
  if (o.kind === 'NetworkPolicy') {
    const rest = k[0] === 'spec' ? named(path.slice(1)) : named(path);
    return scope.length > 0 ? [...scope, 'networkPolicy', ...rest] : ['networkPolicy', o.short, ...rest];
  }
  return undefined;
}

function valueNode(path: ValuePath, vals: Vals): Node {
  const collection = [...vals.values()].some((v) => v !== null && typeof v === 'object');
  return collection ? { k: 'block', path } : { k: 'expr', x: { e: 'value', path } };
}

function derive(o: Obj, vals: Vals, path: Path, optional = false): Node {
  if (path.length > 0 && isItem(path[path.length - 1]) && !optional) throw new NeedWhole();
  if (o.strict > 0) throw new StrictViolation();
  const generic = ['derived', kindCamel(o.kind), o.short, ...named(path)];
  const semantic = derivedName(o, path);
  const candidates = [...(semantic ? [semantic] : []), generic];
  for (let i = 2; i < 10; i++)
    candidates.push([...generic.slice(0, -1), `${generic[generic.length - 1]}${i}`]);
  for (const c of candidates)
    if (o.b.store.bind(c, vals, metaDerived(o, path, optional))) return valueNode(c, vals);
  throw new Error(`internal: no value path for ${o.kind}/${o.name} ${pat(path)}`);
}

/**
 * A field or named list item only some environments have, for no reason a switch names: its own
 * derived value, absent where it is absent, tested for presence. Only where that test is sound:
 * every present value is truthy, and no unnamed list item is on the path (its name would be ambiguous).
 */
function optional(
  o: Obj,
  sub: Vals,
  universe: readonly string[],
  path: Path,
): { node: Node; cond: Cond } | undefined {
  if (path.some((s) => isItem(s) && s.item === null)) return undefined;
  if (![...sub.values()].every(truthy)) return undefined;
  const all: Vals = new Map(universe.map((e) => [e, sub.get(e)]));
  const n = derive(o, all, path, true);
  const p = n.k === 'block' ? n.path : n.k === 'expr' && n.x.e === 'value' ? n.x.path : undefined;
  if (!p) throw new Error('internal: a derived value without a path');
  return { node: n, cond: [{ path: p, op: 'truthy', dig: true }] };
}

// ---------------------------------------------------------------------------------------------------------
// The generic merge

function node(o: Obj, vals: Vals, path: Path, skipSpecial = false): Node {
  if (!skipSpecial) {
    const sp = special(o, vals, path);
    if (sp) return sp;
  }
  const vs = [...vals.values()];
  if (vs.every(isMap) || vs.every(Array.isArray)) {
    const mark = o.b.store.mark();
    try {
      return vs.every(isMap)
        ? buildMap(o, vals as Map<string, Record<string, unknown>>, path)
        : buildArray(o, vals, path);
    } catch (e) {
      if (!(e instanceof NeedWhole) || path.length === 0) throw e;
      o.b.store.restore(mark);
      return derive(o, vals, path);
    }
  }
  if (vs.every((v) => typeof v === 'string')) return buildString(o, vals as Map<string, string>, path);
  if (allEqual(vs)) return lit(vs[0]);
  return derive(o, vals, path);
}

function orderedKeys(maps: Iterable<Record<string, unknown>>): string[] {
  const out: string[] = [];
  for (const m of maps) for (const k of Object.keys(m)) if (!out.includes(k)) out.push(k);
  return out;
}

/** Fields whose feature switch wraps them even when every environment has them. */
function featureField(kind: string, path: Path): Cond | undefined {
  const p = pat(path);
  if (
    kind === 'Ingress' &&
    (p === 'spec.tls' ||
      p === 'metadata.annotations.nginx.ingress.kubernetes.io/ssl-redirect' ||
      p === 'metadata.annotations.nginx.ingress.kubernetes.io/force-ssl-redirect')
  )
    return [{ path: ['ingress', 'tls', 'enabled'], op: 'truthy' }];
  return undefined;
}

function buildEntries(
  o: Obj,
  vals: Map<string, Record<string, unknown>>,
  path: Path,
  keys: string[],
): Entry[] {
  const envs = [...vals.keys()];
  const entries: Entry[] = [];
  for (const k of keys) {
    const sub: Vals = new Map();
    for (const [e, m] of vals) if (Object.hasOwn(m, k)) sub.set(e, m[k]);
    const cp = [...path, k];
    const presence = new Set(sub.keys());
    const feature = featureField(o.kind, cp);
    let cond: Cond | undefined = [];
    if (feature) cond = chooseCond(o.b, [feature], presence, envs, true);
    else if (sub.size !== vals.size)
      cond = chooseCond(o.b, fieldCandidates(o.kind, keysOf(cp), o.role), presence, envs, false);
    if (cond === undefined && sub.size !== vals.size) {
      const opt = optional(o, sub, envs, cp);
      if (!opt) throw new NeedWhole();
      entries.push({ key: k, ...opt });
      continue;
    }
    entries.push({ key: k, node: node(o, sub, cp), cond: cond ?? [] });
  }
  return entries;
}

function collapseMap(entries: Entry[]): Node {
  if (entries.every((e) => e.cond.length === 0 && e.node.k === 'lit'))
    return lit(Object.fromEntries(entries.map((e) => [e.key, (e.node as { v: unknown }).v])));
  return { k: 'map', entries };
}

function buildMap(o: Obj, vals: Map<string, Record<string, unknown>>, path: Path): Node {
  return collapseMap(buildEntries(o, vals, path, orderedKeys(vals.values())));
}

const KEY_FIELDS = ['name', 'alert', 'secretKey'] as const;

function keyFieldOf(arrays: unknown[][]): string | undefined {
  for (const f of KEY_FIELDS) {
    const ok = arrays.every((a) => {
      const keys = a.map((el) => (isMap(el) && typeof el[f] === 'string' ? (el[f] as string) : undefined));
      return keys.every((k) => k !== undefined) && new Set(keys).size === keys.length;
    });
    if (ok && arrays.some((a) => a.length > 0)) return f;
  }
  return undefined;
}

/** One order of all keys that keeps every list's own order, or undefined. */
function mergeOrder(lists: string[][]): string[] | undefined {
  const out: string[] = [];
  for (const list of lists) {
    let at = 0;
    for (const k of list) {
      const i = out.indexOf(k);
      if (i === -1) {
        out.splice(at, 0, k);
        at++;
      } else at = i + 1;
    }
  }
  for (const list of lists)
    if (
      !isDeepStrictEqual(
        out.filter((k) => list.includes(k)),
        list,
      )
    )
      return undefined;
  return out;
}

function buildArray(o: Obj, vals: Vals, path: Path): Node {
  const envs = [...vals.keys()];
  const arrays = [...vals.values()] as unknown[][];
  const f = keyFieldOf(arrays);
  const cp: Path = [...path, { item: null }];
  if (f) {
    const order = mergeOrder(arrays.map((a) => a.map((el) => (el as Record<string, string>)[f] as string)));
    if (!order) throw new NeedWhole();
    const items: Item[] = order.map((key) => {
      const sub: Vals = new Map();
      for (const [e, a] of vals)
        for (const el of a as Record<string, unknown>[]) if (el[f] === key) sub.set(e, el);
      const ip: Path = [...path, { item: key }];
      let cond: Cond = [];
      if (sub.size !== vals.size) {
        const sample = [...sub.values()][0];
        const c = chooseCond(
          o.b,
          itemCandidates(o.kind, keysOf(path), sample, [...o.b.models.values()]),
          new Set(sub.keys()),
          envs,
          false,
        );
        if (!c) {
          const opt = optional(o, sub, envs, ip);
          if (!opt) throw new NeedWhole();
          return opt;
        }
        cond = c;
      }
      return { node: node(o, sub, ip), cond };
    });
    return collapseSeq(items);
  }
  if (new Set(arrays.map((a) => a.length)).size !== 1) throw new NeedWhole();
  o.strict++;
  try {
    const n = arrays[0]?.length ?? 0;
    const items: Item[] = [];
    for (let i = 0; i < n; i++) {
      const sub: Vals = new Map([...vals].map(([e, a]) => [e, (a as unknown[])[i]]));
      items.push({ node: node(o, sub, cp), cond: [] });
    }
    return collapseSeq(items);
  } catch (e) {
    if (e instanceof StrictViolation) throw new NeedWhole();
    throw e;
  } finally {
    o.strict--;
  }
}

function collapseSeq(items: Item[]): Node {
  if (items.every((i) => i.cond.length === 0 && i.node.k === 'lit'))
    return lit(items.map((i) => (i.node as { v: unknown }).v));
  return { k: 'seq', items };
}

// ---------------------------------------------------------------------------------------------------------
// Strings: the namespace (in PromQL matchers and namespace/name references) and the environment
// name become template text, so dashboards and alert rules stay one template.

const DNS = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function splitBy(parts: (string | Raw)[], re: RegExp, raw: Raw): (string | Raw)[] {
  const out: (string | Raw)[] = [];
  for (const p of parts) {
    if (typeof p !== 'string') {
      out.push(p);
      continue;
    }
    let last = 0;
    for (const m of p.matchAll(re)) {
      const start = (m.index ?? 0) + (m[1]?.length ?? 0);
      out.push(p.slice(last, start), raw);
      last = start + (m[2]?.length ?? 0);
    }
    out.push(p.slice(last));
  }
  const merged: (string | Raw)[] = [];
  for (const p of out) {
    const prev = merged[merged.length - 1];
    if (typeof p === 'string' && p === '') continue;
    if (typeof p === 'string' && typeof prev === 'string') merged[merged.length - 1] = prev + p;
    else merged.push(p);
  }
  return merged;
}

function partsFor(s: string, env: string, model: Model, path: Path, withEnv: boolean): (string | Raw)[] {
  const ns = model.environment.namespace;
  let parts: (string | Raw)[] = [s];
  if (DNS.test(ns)) {
    parts = splitBy(parts, new RegExp(`(namespace=\\\\?")(${esc(ns)})(?=\\\\?")`, 'g'), { raw: 'namespace' });
    if (pat(path) === 'metadata.annotations.nginx.ingress.kubernetes.io/custom-headers')
      parts = splitBy(parts, new RegExp(`^()(${esc(ns)})(?=/)`, 'g'), { raw: 'namespace' });
  }
  if (withEnv && DNS.test(env))
    parts = splitBy(parts, new RegExp(`(?<![A-Za-z0-9])()(${esc(env)})(?![A-Za-z0-9])`, 'g'), {
      raw: 'environment',
    });
  return parts;
}

function buildString(o: Obj, vals: Map<string, string>, path: Path): Node {
  for (const withEnv of [false, true]) {
    const per = [...vals].map(([e, s]) => partsFor(s, e, o.b.models.get(e) as Model, path, withEnv));
    if (!allEqual(per)) continue;
    const parts = per[0] ?? [];
    if (parts.every((p) => typeof p === 'string')) return lit(parts.join(''));
    if (
      parts.some((p) => typeof p !== 'string' && p.raw === 'environment') &&
      !bindEnvironment(o.b, [...vals.keys()])
    )
      continue;
    return { k: 'str', parts };
  }
  const vs = [...vals.values()];
  if (allEqual(vs)) return lit(vs[0]);
  return derive(o, vals, path);
}

function bindEnvironment(b: ChartBuild, envs: readonly string[]): boolean {
  return b.store.bind(['environment'], new Map(envs.map((e) => [e, e])), {
    role: 'derived',
    description: 'The Slipway environment name (label slipway.dev/environment, dashboard titles).',
  });
}

// ---------------------------------------------------------------------------------------------------------
// Recognizers: structural fields and tunables

function model(o: Obj, env: string): Model {
  return o.b.models.get(env) as Model;
}

function special(o: Obj, vals: Vals, path: Path): Node | undefined {
  const p = pat(path);
  const envs = [...vals.keys()];
  const vs = [...vals.values()];
  const every = (f: (v: unknown, m: Model, e: string) => boolean) =>
    envs.every((e) => f(vals.get(e), model(o, e), e));

  if (p === 'metadata.namespace' && every((v, m) => v === m.environment.namespace))
    return { k: 'expr', x: { e: 'namespace' } };
  if (o.kind === 'Namespace' && p === 'metadata.name' && every((v, m) => v === m.environment.namespace))
    return { k: 'expr', x: { e: 'namespace' } };
  if (p === 'metadata.name') return nameNode(o, vals);
  if (o.kind === 'Job' && p === 'spec.template' && o.role.service) return podTemplateDefine(o, vals, path);
  if (
    path.length >= 2 &&
    path[path.length - 1] === 'labels' &&
    path[path.length - 2] === 'metadata' &&
    vs.every(isMap)
  ) {
    const l = labelsNode(o, vals as Map<string, Record<string, unknown>>, path);
    if (l) return l;
  }
  if (
    vs.every(isMap) &&
    vs.every((v) => 'app.kubernetes.io/name' in v && 'app.kubernetes.io/instance' in v)
  ) {
    const s = selectorNode(o, vals as Map<string, Record<string, unknown>>, path);
    if (s) return s;
  }
  if (path.length >= 3 && path[path.length - 3] === 'containers' && isItem(path[path.length - 2])) {
    const field = path[path.length - 1];
    if (field === 'image') return imageNode(o, vals);
    if (field === 'imagePullPolicy' && every((v, m) => v === m.environment.images.pullPolicy))
      return tunable(o, ['images', 'pullPolicy'], vals, {
        description: 'imagePullPolicy of every container.',
        enum: ['Always', 'IfNotPresent', 'Never'],
      });
    if (field === 'resources') return resourcesNode(o, vals);
  }
  const s = o.role.service;
  const svc = (m: Model) => m.services.find((x) => x.name === s);
  if (
    s &&
    (o.kind === 'Deployment' || o.kind === 'Rollout') &&
    p === 'spec.replicas' &&
    every((v, m) => v === svc(m)?.replicas)
  )
    return tunable(o, ['services', s, 'replicas'], vals, {
      description: `Replicas of ${s} (when no autoscaler owns them).`,
      minimum: 0,
    });
  if (s && o.kind === 'HorizontalPodAutoscaler') {
    if (p === 'spec.minReplicas' && every((v, m) => v === svc(m)?.autoscaling?.min))
      return tunable(o, ['services', s, 'autoscaling', 'min'], vals, {
        description: 'Minimum replicas.',
        minimum: 1,
      });
    if (p === 'spec.maxReplicas' && every((v, m) => v === svc(m)?.autoscaling?.max))
      return tunable(o, ['services', s, 'autoscaling', 'max'], vals, {
        description: 'Maximum replicas.',
        minimum: 1,
      });
    if (p === 'spec.metrics') return hpaMetrics(o, vals, s);
  }
  if (s && o.kind === 'ScaledObject') {
    if (p === 'spec.minReplicaCount' && every((v, m) => v === svc(m)?.queueScaling?.min))
      return tunable(o, ['services', s, 'queueScaling', 'min'], vals, {
        description: 'Minimum replicas.',
        minimum: 0,
      });
    if (p === 'spec.maxReplicaCount' && every((v, m) => v === svc(m)?.queueScaling?.max))
      return tunable(o, ['services', s, 'queueScaling', 'max'], vals, {
        description: 'Maximum replicas.',
        minimum: 1,
      });
    if (
      p === 'spec.triggers.[].metadata.listLength' &&
      every((v, m) => v === String(svc(m)?.queueScaling?.targetDepth))
    ) {
      const depth = new Map(envs.map((e) => [e, svc(model(o, e))?.queueScaling?.targetDepth]));
      return tunable(
        o,
        ['services', s, 'queueScaling', 'targetDepth'],
        depth,
        { description: 'Queue length per replica.', minimum: 1 },
        'scalar',
        true,
      );
    }
  }
  const d = o.role.dependency;
  const dep = (m: Model) => m.dependencies.find((x) => x.name === d);
  if (d && o.kind === 'Cluster') {
    if (p === 'spec.instances' && every((v, m) => v === dep(m)?.instances))
      return tunable(o, ['dependencies', d, 'instances'], vals, {
        description: `Instances of ${d}.`,
        minimum: 1,
      });
    if (p === 'spec.resources') return resourcesNode(o, vals);
  }
  if (d && o.kind === 'RedisFailover') {
    if (p === 'spec.redis.replicas' && every((v, m) => v === dep(m)?.instances))
      return tunable(o, ['dependencies', d, 'instances'], vals, {
        description: `Instances of ${d}.`,
        minimum: 1,
      });
    if (p === 'spec.redis.image') return imageNode(o, vals);
    if (p === 'spec.redis.resources') return resourcesNode(o, vals);
  }
  if (o.kind === 'Ingress') {
    if (p === 'spec.tls') return ingressTls(o, vals);
    if (p === 'spec.rules') return ingressRules(o, vals, path);
    if (p === 'metadata.annotations' && vs.every(isMap))
      return ingressAnnotations(o, vals as Map<string, Record<string, unknown>>, path);
  }
  return undefined;
}

function nameNode(o: Obj, vals: Vals): Node | undefined {
  const app = o.b.app;
  const s = o.role.service;
  if (o.kind === 'Job' && s) {
    const define = `${app}.${o.short}.podTemplate`;
    const prefixes = new Set<string>();
    const ok = [...vals].every(([e, v]) => {
      const m = model(o, e);
      const tmpl = (o.instances.get(e)?.spec as { template?: unknown } | undefined)?.template;
      const prefix = objectName(m, s);
      prefixes.add(prefix);
      const name = `${prefix}-${contentHash(tmpl, 8)}`;
      return v === name && name.length <= 63 && goJsonSafe(tmpl);
    });
    if (ok && prefixes.size === 1)
      return { k: 'expr', x: { e: 'contentHash', prefix: [...prefixes][0] as string, define, length: 8 } };
    return undefined;
  }
  const names = new Set(vals.values());
  if (names.size !== 1) return undefined;
  const n = [...names][0];
  if (typeof n !== 'string') return undefined;
  if (n === app && componentName(app, app) === n) return { k: 'expr', x: { e: 'name' } };
  if (n.startsWith(`${app}-`) && n.length <= 63 && !n.endsWith('-'))
    return { k: 'expr', x: { e: 'fullname', suffix: n.slice(app.length + 1) } };
  return undefined;
}

/** Whether Go's encoding/json writes this value as JSON.stringify with sorted keys does (after the helper undoes Go's HTML escapes). */
export function goJsonSafe(v: unknown): boolean {
  const badString = (s: string) => /[\x00-\x08\x0b\x0c\x0e-\x1f\u2028\u2029]|\\u|[\ud800-\udfff]/u.test(s);
  if (typeof v === 'string') return !badString(v);
  if (typeof v === 'number')
    return Number.isSafeInteger(v) || (Number.isFinite(v) && Math.abs(v) < 1e21 && Math.abs(v) >= 1e-6);
  if (Array.isArray(v)) return v.every(goJsonSafe);
  if (isMap(v))
    return Object.entries(v).every(
      ([k, x]) => /^[\x20-\x7e]*$/.test(k) && !k.includes('\\u') && goJsonSafe(x),
    );
  return v === null || typeof v === 'boolean';
}

function podTemplateDefine(o: Obj, vals: Vals, path: Path): Node | undefined {
  const inner = node(o, vals, path, true);
  const asMap: Node =
    inner.k === 'map'
      ? inner
      : inner.k === 'lit' && isMap(inner.v)
        ? { k: 'map', entries: Object.entries(inner.v).map(([key, v]) => ({ key, node: lit(v), cond: [] })) }
        : inner;
  if (asMap.k !== 'map') return asMap;
  const define = `${o.b.app}.${o.short}.podTemplate`;
  o.b.defines.set(define, asMap);
  o.defines.push(define);
  return { k: 'include', define };
}

function helperEntries(
  o: Obj,
  extras: Map<string, Record<string, unknown>>,
  path: Path,
): Entry[] | undefined {
  const keys = orderedKeys(extras.values());
  if (keys.length === 0) return [];
  return buildEntries(o, extras, path, keys);
}

function labelsNode(o: Obj, vals: Map<string, Record<string, unknown>>, path: Path): Node | undefined {
  const comps = new Set([...vals.values()].map((m) => m['app.kubernetes.io/component']));
  const c = [...comps][0];
  if (comps.size !== 1 || typeof c !== 'string') return undefined;
  const extras = new Map<string, Record<string, unknown>>();
  for (const [e, m] of vals) {
    const md = model(o, e);
    if (objectName(md, c) !== componentName(c, o.b.app)) return undefined;
    const base = slipwayLabels(md, c);
    if (!Object.entries(base).every(([k, v]) => m[k] === v)) return undefined;
    extras.set(e, Object.fromEntries(Object.entries(m).filter(([k]) => !(k in base))));
  }
  if (!bindEnvironment(o.b, [...vals.keys()])) return undefined;
  const entries = helperEntries(o, extras, path);
  if (!entries) return undefined;
  return { k: 'map', helper: { helper: 'labels', component: c }, entries };
}

function selectorNode(o: Obj, vals: Map<string, Record<string, unknown>>, path: Path): Node | undefined {
  const app = o.b.app;
  const names = new Set([...vals.values()].map((m) => m['app.kubernetes.io/name']));
  const n = [...names][0];
  if (names.size !== 1 || typeof n !== 'string') return undefined;
  const c = n === app ? app : n.startsWith(`${app}-`) ? n.slice(app.length + 1) : undefined;
  if (!c || componentName(c, app) !== n) return undefined;
  const extras = new Map<string, Record<string, unknown>>();
  for (const [e, m] of vals) {
    const base = selectorLabels(model(o, e), c);
    if (!Object.entries(base).every(([k, v]) => m[k] === v)) return undefined;
    extras.set(e, Object.fromEntries(Object.entries(m).filter(([k]) => !(k in base))));
  }
  const entries = helperEntries(o, extras, path);
  if (!entries) return undefined;
  return { k: 'map', helper: { helper: 'selectorLabels', component: c }, entries };
}

/** repository[:tag][@digest] */
export function splitImage(ref: string): { repository: string; tag?: string; digest?: string } {
  const at = ref.indexOf('@');
  const digest = at === -1 ? undefined : ref.slice(at + 1);
  const name = at === -1 ? ref : ref.slice(0, at);
  const colon = name.lastIndexOf(':');
  const tag = colon > name.lastIndexOf('/') ? name.slice(colon + 1) : undefined;
  const repository = tag === undefined ? name : name.slice(0, colon);
  return { repository, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

function backupDependencyOf(o: Obj, m: Model): string | undefined {
  return m.dependencies.find((d) => o.name === `${objectName(m, d.name)}-backup`)?.name;
}

function imageNode(o: Obj, vals: Vals): Node | undefined {
  const owners = new Set<string>();
  for (const [e, v] of vals) {
    const m = model(o, e);
    if (typeof v !== 'string') return undefined;
    const s = o.role.service ? m.services.find((x) => x.name === o.role.service) : undefined;
    const d = o.role.dependency ?? (o.role.component === 'backup' ? backupDependencyOf(o, m) : undefined);
    if (s) {
      if (s.image !== v) return undefined;
      const from = s.imageFrom ? m.services.find((x) => x.name === s.imageFrom) : undefined;
      owners.add(JSON.stringify(['services', from && from.image === v ? from.name : s.name, 'image']));
    } else if (d) {
      if (m.dependencies.find((x) => x.name === d)?.image !== v) return undefined;
      owners.add(JSON.stringify(['dependencies', d, 'image']));
    } else return undefined;
  }
  if (owners.size !== 1) return undefined;
  const path = JSON.parse([...owners][0] as string) as string[];
  const split = new Map([...vals].map(([e, v]) => [e, splitImage(v as string)]));
  const part = (k: 'repository' | 'tag' | 'digest') => new Map([...split].map(([e, x]) => [e, x[k]]));
  const who = path[1] as string;
  const ok =
    o.b.store.bind([...path, 'repository'], part('repository'), {
      role: 'tunable',
      description: `Image repository of ${who}.`,
    }) &&
    ([...split.values()].every((x) => x.tag === undefined) ||
      o.b.store.bind([...path, 'tag'], part('tag'), {
        role: 'tunable',
        description:
          path[0] === 'services'
            ? `Image tag of ${who} (CI sets it per commit: --set-string ${path.join('.')}.tag=<sha>).`
            : `Image tag of ${who}.`,
      })) &&
    ([...split.values()].every((x) => x.digest === undefined) ||
      o.b.store.bind([...path, 'digest'], part('digest'), {
        role: 'tunable',
        description: `Image digest of ${who}.`,
      }));
  if (!ok) return undefined;
  return { k: 'expr', x: { e: 'image', path } };
}

function resourcesNode(o: Obj, vals: Vals): Node | undefined {
  const s = o.role.service;
  const d = o.role.dependency;
  const expected = (m: Model) => {
    const r = s
      ? m.services.find((x) => x.name === s)?.resources
      : d
        ? m.dependencies.find((x) => x.name === d)?.resources
        : undefined;
    return r ? { requests: r.requests, limits: r.limits } : undefined;
  };
  if (![...vals].every(([e, v]) => isDeepStrictEqual(v, expected(model(o, e))))) return undefined;
  const path = s ? ['services', s, 'resources'] : ['dependencies', d as string, 'resources'];
  return tunable(o, path, vals, { description: `CPU and memory requests and limits of ${s ?? d}.` }, 'block');
}

function hpaMetrics(o: Obj, vals: Vals, s: string): Node | undefined {
  const names = ['cpu', 'memory'] as const;
  for (const [e, v] of vals) {
    const a = model(o, e).services.find((x) => x.name === s)?.autoscaling;
    if (!a || !Array.isArray(v)) return undefined;
    const want = names
      .filter((n) => a[n] !== undefined)
      .map((n) => ({
        type: 'Resource',
        resource: { name: n, target: { type: 'Utilization', averageUtilization: a[n] } },
      }));
    if (!isDeepStrictEqual(v, want)) return undefined;
  }
  const items: Item[] = [];
  for (const n of names) {
    const per = new Map(
      [...vals.keys()].map((e) => [e, model(o, e).services.find((x) => x.name === s)?.autoscaling?.[n]]),
    );
    if ([...per.values()].every((x) => x === undefined)) continue;
    const path = ['services', s, 'autoscaling', n];
    if (
      !o.b.store.bind(path, per, {
        role: 'tunable',
        description: `Target average ${n} utilization, percent of requests (absent: not a metric).`,
        minimum: 1,
        presence: true,
      })
    )
      return undefined;
    const m = (entries: [string, Node][]): Node => ({
      k: 'map',
      entries: entries.map(([key, n]) => ({ key, node: n, cond: [] })),
    });
    items.push({
      cond: [{ path, op: 'truthy' }],
      node: m([
        ['type', lit('Resource')],
        [
          'resource',
          m([
            ['name', lit(n)],
            [
              'target',
              m([
                ['type', lit('Utilization')],
                ['averageUtilization', { k: 'expr', x: { e: 'value', path } }],
              ]),
            ],
          ]),
        ],
      ]),
    });
  }
  return { k: 'seq', items };
}

const HOSTS: ValuePath = ['ingress', 'hosts'];

function bindHosts(o: Obj, per: Vals): boolean {
  return o.b.store.bind(HOSTS, per, {
    role: 'tunable',
    description: 'Host names the Ingress serves (and the TLS certificate covers).',
    schema: {
      type: 'array',
      items: { type: 'string', pattern: '^[A-Za-z0-9*]([-A-Za-z0-9.*]*[A-Za-z0-9])?$' },
    },
  });
}

function ingressTls(o: Obj, vals: Vals): Node | undefined {
  for (const [e, v] of vals) {
    const m = model(o, e);
    if (!isDeepStrictEqual(v, [{ hosts: ingressHosts(m), secretName: m.ingress?.tls?.secret }]))
      return undefined;
  }
  const secret: ValuePath = ['ingress', 'tls', 'secretName'];
  const hosts = new Map([...vals].map(([e, v]) => [e, (v as { hosts: string[] }[])[0]?.hosts]));
  const secrets = new Map([...vals].map(([e, v]) => [e, (v as { secretName: string }[])[0]?.secretName]));
  if (!bindHosts(o, hosts)) return undefined;
  if (
    !o.b.store.bind(secret, secrets, {
      role: 'tunable',
      description: 'The Secret holding the TLS certificate (cert-manager writes it when an issuer is set).',
    })
  )
    return undefined;
  return {
    k: 'seq',
    items: [
      {
        cond: [],
        node: {
          k: 'map',
          entries: [
            { key: 'hosts', node: { k: 'block', path: HOSTS }, cond: [] },
            { key: 'secretName', node: { k: 'expr', x: { e: 'value', path: secret } }, cond: [] },
          ],
        },
      },
    ],
  };
}

function ingressRules(o: Obj, vals: Vals, path: Path): Node | undefined {
  const https: Vals = new Map();
  const hosts: Vals = new Map();
  for (const [e, v] of vals) {
    if (!Array.isArray(v) || v.length === 0) return undefined;
    const rules = v as { host?: unknown; http?: unknown }[];
    if (
      !rules.every(
        (r) =>
          isMap(r) &&
          Object.keys(r).length === 2 &&
          typeof r.host === 'string' &&
          isDeepStrictEqual(r.http, rules[0]?.http),
      )
    )
      return undefined;
    https.set(e, rules[0]?.http);
    hosts.set(
      e,
      rules.map((r) => r.host),
    );
  }
  const mark = o.b.store.mark();
  if (!bindHosts(o, hosts)) return undefined;
  let http: Node;
  try {
    http = node(o, https, [...path, { item: null }, 'http']);
  } catch (e) {
    if (e instanceof NeedWhole || e instanceof StrictViolation) {
      o.b.store.restore(mark);
      return undefined;
    }
    throw e;
  }
  return {
    k: 'range',
    path: HOSTS,
    item: {
      k: 'map',
      entries: [
        { key: 'host', node: { k: 'expr', x: { e: 'item' } }, cond: [] },
        { key: 'http', node: http, cond: [] },
      ],
    },
  };
}

const ISSUER_KEYS: Record<string, 'Issuer' | 'ClusterIssuer'> = {
  'cert-manager.io/issuer': 'Issuer',
  'cert-manager.io/cluster-issuer': 'ClusterIssuer',
};

function ingressAnnotations(
  o: Obj,
  vals: Map<string, Record<string, unknown>>,
  path: Path,
): Node | undefined {
  const envs = [...vals.keys()];
  const issuerKeys = orderedKeys(vals.values()).filter((k) => k in ISSUER_KEYS);
  const entries: Entry[] = [];
  if (issuerKeys.length > 0) {
    const issuer: ValuePath = ['ingress', 'tls', 'issuer'];
    const kindPath: ValuePath = ['ingress', 'tls', 'issuerKind'];
    for (const [e, m] of vals) {
      const tls = model(o, e).ingress?.tls;
      for (const k of Object.keys(ISSUER_KEYS)) {
        const want = tls?.issuer && ISSUER_KEYS[k] === tls.issuerKind ? tls.issuer : undefined;
        if (m[k] !== want) return undefined;
      }
    }
    const issuers = new Map(envs.map((e) => [e, model(o, e).ingress?.tls?.issuer]));
    if (
      !o.b.store.bind(issuer, issuers, {
        role: 'tunable',
        description: 'cert-manager issuer for the TLS certificate (absent: bring your own secret).',
        presence: true,
      })
    )
      return undefined;
    const mixed = issuerKeys.length > 1;
    if (mixed) {
      const kinds = new Map(
        envs
          .filter((e) => model(o, e).ingress?.tls?.issuer)
          .map((e) => [e, model(o, e).ingress?.tls?.issuerKind]),
      );
      if (
        !o.b.store.bind(kindPath, kinds, {
          role: 'tunable',
          description: 'Kind of the issuer.',
          enum: ['ClusterIssuer', 'Issuer'],
        })
      )
        return undefined;
    }
    for (const k of issuerKeys) {
      const cond: Atom[] = [{ path: issuer, op: 'truthy' }];
      if (mixed) cond.push({ path: kindPath, op: 'eq', value: ISSUER_KEYS[k] as string });
      entries.push({ key: k, cond, node: { k: 'expr', x: { e: 'value', path: issuer } } });
    }
  }
  const rest = new Map(
    [...vals].map(([e, m]) => [
      e,
      Object.fromEntries(Object.entries(m).filter(([k]) => !(k in ISSUER_KEYS))),
    ]),
  );
  entries.push(...buildEntries(o, rest, path, orderedKeys(rest.values())));
  return { k: 'map', entries };
}

// ---------------------------------------------------------------------------------------------------------
// Objects

function verify(o: Obj, root: Node, cond: Cond): boolean {
  const b = o.b;
  for (const env of b.envs) {
    const values = b.store.valuesFor(env);
    let on: boolean;
    try {
      on = evalCond(cond, values);
    } catch (e) {
      if (e instanceof TemplateError) return false;
      throw e;
    }
    const inst = o.instances.get(env);
    if (on !== (inst !== undefined)) return false;
    if (!inst) continue;
    const ctx = {
      values,
      namespace: model(o, env).environment.namespace,
      chartName: b.app,
      ...(b.appVersion ? { appVersion: b.appVersion } : {}),
      defines: b.defines,
    };
    if (!renders(root, ctx, inst)) return false;
  }
  return true;
}

function objectCond(o: Obj): Cond {
  const b = o.b;
  const presence = new Set(o.instances.keys());
  const sample = o.instances.values().next().value as KubeObject;
  const c = chooseCond(b, objectCandidates(sample, o.role, [...b.models.values()]), presence, b.envs, true);
  if (c) return c;
  if (presence.size === b.envs.length) return [];
  const path = ['objects', kindCamel(o.kind), o.short, 'enabled'];
  b.store.bind(path, new Map(b.envs.map((e) => [e, presence.has(e)])), {
    role: 'switch',
    description: `${o.kind} ${o.name}: rendered in ${[...presence].join(', ')} only, for no reason a feature switch names.`,
  });
  return [{ path, op: 'truthy' }];
}

export function buildObject(b: ChartBuild, instances: Map<string, KubeObject>): ObjectTemplate {
  const sample = instances.values().next().value as KubeObject;
  const models = [...b.models.values()];
  const role = roleOf(sample, models);
  const o: Obj = {
    b,
    kind: sample.kind,
    name: sample.metadata.name,
    short: shortName(sample, b.app),
    role,
    scope: role.service
      ? ['services', role.service]
      : role.dependency
        ? ['dependencies', role.dependency]
        : [],
    instances,
    strict: 0,
    defines: [],
  };
  const vals: Vals = new Map([...instances].map(([e, x]) => [e, JSON.parse(JSON.stringify(x))]));
  const file =
    o.kind === 'Namespace' ? 'templates/namespace.yaml' : `templates/${o.kind.toLowerCase()}-${o.short}.yaml`;
  const done = (n: Node, cond: Cond): ObjectTemplate => ({
    kind: o.kind,
    name: o.name,
    short: o.short,
    file,
    node: n,
    cond,
    defines: o.defines,
    present: [...instances.keys()],
  });

  b.store.begin();
  try {
    const cond = objectCond(o);
    const root = node(o, vals, []);
    if (verify(o, root, cond)) {
      b.store.commit();
      return done(root, cond);
    }
  } catch (e) {
    if (!(e instanceof NeedWhole || e instanceof StrictViolation)) throw e;
  }
  b.store.rollback();
  for (const d of o.defines) b.defines.delete(d);
  o.defines = [];

  b.store.begin();
  const cond = objectCond(o);
  const path = ['derived', 'objects', kindCamel(o.kind), o.short];
  if (!b.store.bind(path, vals, metaDerived(o, []))) throw new Error(`internal: ${path.join('.')} is taken`);
  const root: Node = { k: 'block', path };
  if (!verify(o, root, cond))
    throw new Error(`internal: ${o.kind}/${o.name} does not reproduce even as a whole value`);
  b.store.commit();
  b.fallbacks.push(`${o.kind}/${o.name}`);
  return done(root, cond);
}
