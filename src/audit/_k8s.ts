/**
 * Reading arbitrary manifests safely: every accessor tolerates a missing or mistyped field (the audit
 * sees hand-written YAML, not validated objects), and every helper returns the JSON pointer of what it
 * found, so rules can report the exact field.
 */
import { seg } from './_yaml.ts';
import type { AuditObject, JsonObject } from './types.ts';

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function obj(v: unknown): JsonObject | undefined {
  return isObject(v) ? v : undefined;
}

export function arr(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : [];
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** `a.b.c` of nested mappings, or undefined. */
export function get(v: unknown, ...keys: string[]): unknown {
  let cur = v;
  for (const k of keys) {
    if (!isObject(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

/** String-valued entries of a mapping (labels, annotations, selectors). */
export function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObject(v)) return out;
  for (const [k, val] of Object.entries(v)) {
    if (typeof val === 'string') out[k] = val;
    else if (typeof val === 'number' || typeof val === 'boolean') out[k] = String(val);
  }
  return out;
}

const objectLabels = new WeakMap<AuditObject, Record<string, string>>();

/** An object's own `metadata.labels` as strings (read once per object: selectors match them often). */
export function labelsOf(o: AuditObject): Record<string, string> {
  let labels = objectLabels.get(o);
  if (labels === undefined) {
    labels = stringMap(get(o.value, 'metadata', 'labels'));
    objectLabels.set(o, labels);
  }
  return labels;
}

/** Kinds that carry a pod template (or are a pod): what kube-linter calls deployment-like. */
export const POD_SPEC_KINDS = [
  'Pod',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'ReplicationController',
  'Job',
  'CronJob',
  'Rollout',
  'DeploymentConfig',
] as const;

/** Long-running pods (probes and replicas make sense): pod-spec kinds without Jobs and CronJobs. */
export const LONG_RUNNING_KINDS = POD_SPEC_KINDS.filter((k) => k !== 'Job' && k !== 'CronJob');

/** Controllers with `spec.selector` and `spec.replicas`. */
export const REPLICATED_KINDS = [
  'Deployment',
  'StatefulSet',
  'ReplicaSet',
  'ReplicationController',
  'Rollout',
  'DeploymentConfig',
] as const;

export interface PodSpecAt {
  spec: JsonObject;
  /** Pointer of the pod spec in the object. */
  path: string;
  /** Labels of the pods (template metadata, or the Pod's own). */
  labels: Record<string, string>;
  /** Pointer of the pods' metadata. */
  metadataPath: string;
}

// Many rules ask for the same object's pod spec: found once per object (rules never mutate objects).
const podSpecs = new WeakMap<AuditObject, PodSpecAt | null>();

/** The pod spec of a pod-spec kind, wherever the kind keeps it. */
export function podSpecOf(o: AuditObject): PodSpecAt | undefined {
  let found = podSpecs.get(o);
  if (found === undefined) {
    found = findPodSpec(o) ?? null;
    podSpecs.set(o, found);
  }
  return found ?? undefined;
}

function findPodSpec(o: AuditObject): PodSpecAt | undefined {
  const v = o.value;
  let specPath: string[];
  let metaPath: string[];
  switch (o.kind) {
    case 'Pod':
      specPath = ['spec'];
      metaPath = ['metadata'];
      break;
    case 'CronJob':
      specPath = ['spec', 'jobTemplate', 'spec', 'template', 'spec'];
      metaPath = ['spec', 'jobTemplate', 'spec', 'template', 'metadata'];
      break;
    case 'Rollout':
      // Argo Rollouts; a Rollout with workloadRef borrows a Deployment's template instead.
      if (!o.apiVersion.startsWith('argoproj.io/')) return undefined;
      specPath = ['spec', 'template', 'spec'];
      metaPath = ['spec', 'template', 'metadata'];
      break;
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'ReplicationController':
    case 'Job':
    case 'DeploymentConfig':
      specPath = ['spec', 'template', 'spec'];
      metaPath = ['spec', 'template', 'metadata'];
      break;
    default:
      return undefined;
  }
  const spec = obj(get(v, ...specPath));
  if (spec === undefined) return undefined;
  return {
    spec,
    path: `/${specPath.join('/')}`,
    labels: stringMap(get(v, ...metaPath, 'labels')),
    metadataPath: `/${metaPath.join('/')}`,
  };
}

export type ContainerType = 'containers' | 'initContainers' | 'ephemeralContainers';

export interface ContainerAt {
  c: JsonObject;
  name: string;
  /** Pointer of the container in the object. */
  path: string;
  type: ContainerType;
}

/**
 * The containers of a pod spec. `all` adds init and ephemeral containers (what Pod Security checks);
 * without it, only the app containers (what kube-linter's per-container checks look at).
 */
export function containersOf(pod: PodSpecAt, all = false): ContainerAt[] {
  const types: ContainerType[] = all
    ? ['containers', 'initContainers', 'ephemeralContainers']
    : ['containers'];
  const out: ContainerAt[] = [];
  for (const type of types) {
    arr(pod.spec[type]).forEach((c, i) => {
      if (!isObject(c)) return;
      out.push({ c, name: str(c.name) ?? `#${i}`, path: `${pod.path}/${type}/${i}`, type });
    });
  }
  return out;
}

export function pointer(...parts: (string | number)[]): string {
  return parts.map((p) => `/${seg(p)}`).join('');
}

interface Requirement {
  key: string;
  operator: unknown;
  values: readonly string[];
}

interface CompiledSelector {
  /** `matchLabels` entries. */
  labels: readonly (readonly [string, string])[];
  /** `matchExpressions`; undefined when one is not a mapping (the selector then matches nothing). */
  expressions: readonly Requirement[] | undefined;
}

// Selectors are matched against every pod of a namespace: read each once, not on every match.
const compiledSelectors = new WeakMap<object, CompiledSelector>();

function compileSelector(selector: Record<string, unknown>): CompiledSelector {
  let c = compiledSelectors.get(selector);
  if (c === undefined) {
    const exprs = arr(selector.matchExpressions);
    c = {
      labels: Object.entries(stringMap(selector.matchLabels)),
      expressions: exprs.every(isObject)
        ? exprs.map((e) => ({
            key: str(e.key) ?? '',
            operator: e.operator,
            values: arr(e.values).map(String),
          }))
        : undefined,
    };
    compiledSelectors.set(selector, c);
  }
  return c;
}

/** A LabelSelector (`matchLabels` + `matchExpressions`) against labels. An empty selector matches all. */
export function selectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  if (!isObject(selector)) return false;
  const c = compileSelector(selector);
  for (const [k, v] of c.labels) if (labels[k] !== v) return false;
  if (c.expressions === undefined) return false;
  for (const { key, operator, values } of c.expressions) {
    const has = Object.hasOwn(labels, key);
    switch (operator) {
      case 'In':
        if (!has || !values.includes(labels[key] ?? '')) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[key] ?? '')) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** A Service-style selector (a plain map): every entry must match. An empty map matches nothing. */
export function mapSelectorMatches(
  selector: Record<string, string>,
  labels: Record<string, string>,
): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

/** True when a LabelSelector has no terms (it selects everything). */
export function isEmptySelector(selector: unknown): boolean {
  return (
    isObject(selector) &&
    Object.keys(stringMap(selector.matchLabels)).length === 0 &&
    arr(selector.matchExpressions).length === 0
  );
}

// Rules ask per object for its namespace's workloads: grouped once per run (per objects list), not
// filtered from every object each time, which made a run quadratic in its size.
const workloadsByRun = new WeakMap<readonly AuditObject[], Map<string, AuditObject[]>>();

/** The pod-spec objects of the run in a namespace, in input order. */
export function workloadsIn(objects: readonly AuditObject[], namespace: string): readonly AuditObject[] {
  let byNamespace = workloadsByRun.get(objects);
  if (byNamespace === undefined) {
    byNamespace = new Map();
    for (const o of objects) {
      if (!(POD_SPEC_KINDS as readonly string[]).includes(o.kind) || podSpecOf(o) === undefined) continue;
      const list = byNamespace.get(o.namespace);
      if (list) list.push(o);
      else byNamespace.set(o.namespace, [o]);
    }
    workloadsByRun.set(objects, byNamespace);
  }
  return byNamespace.get(namespace) ?? [];
}

/** `spec.replicas`, defaulting to 1 as the API server does; undefined for kinds without replicas. */
export function replicasOf(o: AuditObject): number | undefined {
  if (!(REPLICATED_KINDS as readonly string[]).includes(o.kind)) return undefined;
  const r = get(o.value, 'spec', 'replicas');
  return typeof r === 'number' ? r : 1;
}

/** Effective security context value: the container's, else the pod's. */
export function effective(pod: PodSpecAt, c: ContainerAt, field: string): { value: unknown; path: string } {
  const own = get(c.c, 'securityContext', field);
  if (own !== undefined && own !== null) return { value: own, path: `${c.path}/securityContext/${field}` };
  const podValue = get(pod.spec, 'securityContext', field);
  if (podValue !== undefined && podValue !== null)
    return { value: podValue, path: `${pod.path}/securityContext/${field}` };
  return { value: undefined, path: `${c.path}/securityContext/${field}` };
}

/** Where to point when a container lacks a field: its securityContext if it has one, else the container. */
export function securityContextPath(c: ContainerAt): string {
  return isObject(c.c.securityContext) ? `${c.path}/securityContext` : `${c.path}/name`;
}

/** Container ports as numbers and names (TCP and unspecified protocol only, like kube-linter). */
export function exposedPorts(c: JsonObject): { numbers: Set<number>; names: Set<string> } {
  const numbers = new Set<number>();
  const names = new Set<string>();
  for (const p of arr(c.ports)) {
    if (!isObject(p)) continue;
    const protocol = str(p.protocol);
    if (protocol !== undefined && protocol !== '' && protocol !== 'TCP') continue;
    if (typeof p.containerPort === 'number') numbers.add(p.containerPort);
    if (typeof p.name === 'string') names.add(p.name);
  }
  return { numbers, names };
}

/**
 * Where to report a security setting a container lacks: its securityContext, else the pod's, else the
 * container itself (its name).
 */
export function securityAnchor(pod: PodSpecAt, c: ContainerAt): string {
  if (isObject(c.c.securityContext)) return `${c.path}/securityContext`;
  if (isObject(pod.spec.securityContext)) return `${pod.path}/securityContext`;
  return `${c.path}/name`;
}
