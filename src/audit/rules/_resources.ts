/** Container resource quantities. */
import { type ContainerAt, get, isObject } from '../_k8s.ts';

/** True when the quantity is absent or zero (`0`, `"0"`, `"0m"`, `"0Mi"`). */
export function isUnset(q: unknown): boolean {
  if (q === undefined || q === null || q === '') return true;
  if (typeof q === 'number') return q === 0;
  if (typeof q === 'string') return Number.parseFloat(q) === 0;
  return false;
}

/** Where to point when `resources.<kind>.<name>` is missing: the deepest of those that exists. */
export function resourcePath(c: ContainerAt, kind: 'requests' | 'limits', name: 'cpu' | 'memory'): string {
  const r = c.c.resources;
  if (!isObject(r)) return `${c.path}/name`;
  if (get(r, kind, name) !== undefined) return `${c.path}/resources/${kind}/${name}`;
  if (isObject(r[kind])) return `${c.path}/resources/${kind}`;
  return `${c.path}/resources`;
}
