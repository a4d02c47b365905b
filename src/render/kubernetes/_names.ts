/**
 * Object names and labels, decided in one place. Names are `<app>-<part>`, kept within the
 * 63-character DNS label limit (validation reserves room for suffixes such as `-preview`).
 * Selector labels are the stable pair `app.kubernetes.io/name` + `app.kubernetes.io/instance`;
 * everything else may change between releases without orphaning pods.
 */
import { createHash } from 'node:crypto';
import type { Model } from '../../model/types.ts';

export function objectName(model: Model, part: string): string {
  // A service named like its app (seed 000's devportal) is just the app, not `devportal-devportal`.
  if (part === model.app.name) return model.app.name;
  return truncate(`${model.app.name}-${part}`);
}

/** An object that belongs to a component: `<component object name>-<suffix>`. */
export function childName(model: Model, component: string, suffix: string): string {
  return truncate(`${objectName(model, component)}-${suffix}`);
}

/** Truncate to 63 characters, keeping names unique with a short hash (as cdk8s and Helm do). */
export function truncate(name: string, max = 63): string {
  if (name.length <= max) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, max - 9).replace(/-+$/, '')}-${hash}`;
}

export function selectorLabels(model: Model, component: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': objectName(model, component),
    'app.kubernetes.io/instance': model.app.name,
  };
}

export function labels(
  model: Model,
  component: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  const out: Record<string, string> = {
    ...selectorLabels(model, component),
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/part-of': model.app.name,
    'app.kubernetes.io/managed-by': 'slipway',
    'slipway.dev/environment': model.environment.name,
    ...extra,
  };
  if (model.app.version) out['app.kubernetes.io/version'] = labelValue(model.app.version);
  return out;
}

/** Label values: at most 63 characters of [A-Za-z0-9._-], starting and ending alphanumeric. */
export function labelValue(v: string): string {
  return v
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}

/** A short, stable content hash for checksum annotations and immutable object names. */
export function contentHash(value: unknown, length = 16): string {
  return createHash('sha256')
    .update(typeof value === 'string' ? value : stableJson(value))
    .digest('hex')
    .slice(0, length);
}

/** JSON with sorted keys, so a hash does not depend on property order. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
