/**
 * The model's requests and limits (Kubernetes quantities) as compose `deploy.resources`:
 * limits are enforced by the engine; reservations are what the container is sized for
 * (a memory soft limit; a CPU reservation matters only to a scheduler).
 */
import type { ResourcesModel } from '../../model/types.ts';

/** `500m` → `0.5`, `2` → `2`. */
export function cpus(q: string): string {
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(q.trim());
  if (!m) return q;
  const n = m[2] === 'm' ? Number(m[1]) / 1000 : Number(m[1]);
  return String(Number(n.toFixed(3)));
}

const BINARY: Record<string, string> = { Ki: 'k', Mi: 'm', Gi: 'g', Ti: 't' };
const DECIMAL: Record<string, number> = { '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** `512Mi` → `512m`, `2Gi` → `2g` (Docker's units are binary); decimal units become bytes. */
export function memory(q: string): string {
  const m = /^(\d+(?:\.\d+)?)([A-Za-z]*)$/.exec(q.trim());
  if (!m) return q;
  const [, num = '0', unit = ''] = m;
  const binary = BINARY[unit];
  if (binary) return `${num}${binary}`;
  const factor = DECIMAL[unit];
  return factor === undefined ? q : `${Math.round(Number(num) * factor)}b`;
}

export function composeResources(r: ResourcesModel): Record<string, unknown> {
  return {
    limits: { cpus: cpus(r.limits.cpu), memory: memory(r.limits.memory) },
    reservations: { cpus: cpus(r.requests.cpu), memory: memory(r.requests.memory) },
  };
}
