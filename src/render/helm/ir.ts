/**
 * The chart's template language, as data: a small tree (IR) that the emitter writes as Go
 * template text and that `evaluate` renders in TypeScript with exactly the semantics the emitted
 * text has under Helm. Every template is checked against Slipway's own objects by evaluating it
 * with each environment's values before it is written (see build.ts): that is what makes the chart
 * unable to drift from what Slipway deploys.
 */
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { stableJson } from '../kubernetes/_names.ts';

/** A value path under `.Values`, e.g. ['services', 'web', 'replicas']. */
export type ValuePath = readonly string[];

/** One test of a value; a Cond is their conjunction (empty: always). */
export type Atom =
  /** `dig`: the value's parent maps may be missing (an optional derived value). */
  | { path: ValuePath; op: 'truthy' | 'falsy'; dig?: boolean }
  | { path: ValuePath; op: 'eq'; value: string }
  | { path: ValuePath; op: 'in'; values: readonly string[] };
export type Cond = readonly Atom[];

/** Template expressions that print one scalar (quoted or JSON, so YAML reads back its type). */
export type Expr =
  | { e: 'namespace' }
  | { e: 'value'; path: ValuePath; asString?: boolean }
  | { e: 'name' }
  | { e: 'fullname'; suffix: string }
  | { e: 'image'; path: ValuePath }
  /** `<prefix>-<first length hex of sha256 of the define's content as sorted JSON>`. */
  | { e: 'contentHash'; prefix: string; define: string; length: number }
  /** The loop variable of a `range` node. */
  | { e: 'item' };

/** Raw (unquoted) text inserted into a string: DNS-safe by construction (checked where built). */
export type Raw = { raw: 'namespace' } | { raw: 'environment' };

export type Node =
  | { k: 'lit'; v: unknown }
  | { k: 'expr'; x: Expr }
  /** A collection value: `toYaml | nindent`. */
  | { k: 'block'; path: ValuePath }
  | { k: 'str'; parts: readonly (string | Raw)[] }
  | { k: 'map'; entries: Entry[]; helper?: LabelsHelper }
  | { k: 'seq'; items: Item[] }
  /** One item per element of a list value, the element bound to `item`. */
  | { k: 'range'; path: ValuePath; item: Node }
  /** A named template (`define`) included here. */
  | { k: 'include'; define: string };

export interface LabelsHelper {
  helper: 'labels' | 'selectorLabels';
  component: string;
}
export interface Entry {
  key: string;
  node: Node;
  cond: Cond;
}
export interface Item {
  node: Node;
  cond: Cond;
}

export const lit = (v: unknown): Node => ({ k: 'lit', v });

/** What a template is evaluated with: one environment's values and release. */
export interface EvalContext {
  values: Record<string, unknown>;
  namespace: string;
  /** Chart.yaml `name` (the app) and `appVersion`. */
  chartName: string;
  appVersion?: string;
  defines: ReadonlyMap<string, Node>;
  item?: unknown;
}

export class TemplateError extends Error {}

export function lookup(values: Record<string, unknown>, path: ValuePath): unknown {
  let cur: unknown = values;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) {
      throw new TemplateError(`.Values.${path.join('.')}: ${seg} is read from a non-map`);
    }
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

/** Go template truthiness of a value read from YAML. */
export function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v as object).length > 0;
  return true;
}

export function evalAtom(a: Atom, values: Record<string, unknown>): boolean {
  const v = 'dig' in a && a.dig ? dig(values, a.path) : lookupLeaf(values, a.path);
  switch (a.op) {
    case 'truthy':
      return truthy(v);
    case 'falsy':
      return !truthy(v);
    case 'eq':
      return v === a.value;
    case 'in':
      return typeof v === 'string' && a.values.includes(v);
  }
}

/** Sprig's `dig`: undefined when any map on the way is missing. */
export function dig(values: Record<string, unknown>, path: ValuePath): unknown {
  let cur: unknown = values;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

/** A leaf whose parent maps exist (Go templates fail on a missing parent, not on a missing leaf). */
function lookupLeaf(values: Record<string, unknown>, path: ValuePath): unknown {
  const parent = lookup(values, path.slice(0, -1));
  if (parent === undefined || parent === null || typeof parent !== 'object') {
    throw new TemplateError(`.Values.${path.slice(0, -1).join('.')} is missing`);
  }
  return (parent as Record<string, unknown>)[path[path.length - 1] as string];
}

export function evalCond(c: Cond, values: Record<string, unknown>): boolean {
  return c.every((a) => evalAtom(a, values));
}

/** Helm's `trunc 63 | trimSuffix "-"`. */
export function helmTrunc(s: string): string {
  const t = s.slice(0, 63);
  return t.endsWith('-') ? t.slice(0, -1) : t;
}

/** The `<chart>.image` helper. */
export function imageRef(v: unknown): string {
  if (v === null || typeof v !== 'object') throw new TemplateError('image value is not a map');
  const { repository, tag, digest } = v as { repository?: unknown; tag?: unknown; digest?: unknown };
  if (typeof repository !== 'string') throw new TemplateError('image.repository is not a string');
  return `${repository}${truthy(tag) ? `:${String(tag)}` : ''}${truthy(digest) ? `@${String(digest)}` : ''}`;
}

/** The `app.kubernetes.io/version` label the labels helper writes (Slipway's labelValue). */
export function versionLabel(v: string): string {
  return v
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .slice(0, 63)
    .replace(/^[._-]+|[._-]+$/g, '');
}

export function labelsOf(h: LabelsHelper, ctx: EvalContext): Record<string, string> {
  const selector = {
    'app.kubernetes.io/name': componentName(h.component, ctx.chartName),
    'app.kubernetes.io/instance': helmTrunc(ctx.chartName),
  };
  if (h.helper === 'selectorLabels') return selector;
  const env = lookup(ctx.values, ['environment']);
  if (typeof env !== 'string') throw new TemplateError('.Values.environment is not a string');
  return {
    ...selector,
    'app.kubernetes.io/component': h.component,
    'app.kubernetes.io/part-of': helmTrunc(ctx.chartName),
    'app.kubernetes.io/managed-by': 'slipway',
    'slipway.dev/environment': env,
    ...(ctx.appVersion ? { 'app.kubernetes.io/version': versionLabel(ctx.appVersion) } : {}),
  };
}

/** The `<chart>.componentName` helper: Slipway's objectName for names that need no hash. */
export function componentName(component: string, chartName: string): string {
  const name = helmTrunc(chartName);
  return component === name ? name : helmTrunc(`${name}-${component}`);
}

export function evalExpr(x: Expr, ctx: EvalContext): unknown {
  switch (x.e) {
    case 'namespace':
      return ctx.namespace;
    case 'value': {
      const v = lookupLeaf(ctx.values, x.path);
      if (v === undefined) throw new TemplateError(`.Values.${x.path.join('.')} is missing`);
      return x.asString ? String(v) : v;
    }
    case 'name':
      return helmTrunc(ctx.chartName);
    case 'fullname':
      return helmTrunc(`${helmTrunc(ctx.chartName)}-${x.suffix}`);
    case 'image':
      return imageRef(lookup(ctx.values, x.path));
    case 'contentHash': {
      const def = ctx.defines.get(x.define);
      if (!def) throw new TemplateError(`define ${x.define} is missing`);
      const hash = createHash('sha256')
        .update(stableJson(evaluate(def, ctx)))
        .digest('hex');
      return `${x.prefix}-${hash.slice(0, x.length)}`;
    }
    case 'item':
      return ctx.item;
  }
}

/** Renders a node as Helm would, then as YAML would read it back. `undefined`: nothing rendered. */
export function evaluate(n: Node, ctx: EvalContext): unknown {
  switch (n.k) {
    case 'lit':
      return structuredClone(n.v);
    case 'expr':
      return evalExpr(n.x, ctx);
    case 'block': {
      const v = lookupLeaf(ctx.values, n.path);
      if (v === undefined) throw new TemplateError(`.Values.${n.path.join('.')} is missing`);
      return structuredClone(v);
    }
    case 'str':
      return n.parts
        .map((p) => {
          if (typeof p === 'string') return p;
          if (p.raw === 'namespace') return ctx.namespace;
          return String(lookup(ctx.values, ['environment']));
        })
        .join('');
    case 'map': {
      const out: Record<string, unknown> = n.helper ? labelsOf(n.helper, ctx) : {};
      for (const e of n.entries) {
        if (!evalCond(e.cond, ctx.values)) continue;
        if (e.key in out) throw new TemplateError(`duplicate key ${e.key}`);
        out[e.key] = evaluate(e.node, ctx);
      }
      return out;
    }
    case 'seq':
      return n.items.filter((i) => evalCond(i.cond, ctx.values)).map((i) => evaluate(i.node, ctx));
    case 'range': {
      const list = lookupLeaf(ctx.values, n.path);
      if (list === undefined || list === null) return [];
      if (!Array.isArray(list)) throw new TemplateError(`.Values.${n.path.join('.')} is not a list`);
      return list.map((item) => evaluate(n.item, { ...ctx, item }));
    }
    case 'include': {
      const def = ctx.defines.get(n.define);
      if (!def) throw new TemplateError(`define ${n.define} is missing`);
      return evaluate(def, ctx);
    }
  }
}

/** Whether a node renders `expected` in this context (JSON-equal: what YAML readers see). */
export function renders(n: Node, ctx: EvalContext, expected: unknown): boolean {
  try {
    return isDeepStrictEqual(evaluate(n, ctx), JSON.parse(JSON.stringify(expected)));
  } catch (e) {
    if (e instanceof TemplateError) return false;
    throw e;
  }
}
