/**
 * A container's environment in Kubernetes: plain values go to a ConfigMap read with envFrom;
 * anything built from a secret stays in `env`, either as a secretKeyRef or as a value that
 * expands `$(VAR)` references to secretKeyRef variables declared just before it — so a database
 * URL can carry its password without the password ever being written anywhere.
 */
import type { V1EnvVar } from '@kubernetes/client-node';
import type { EnvVarModel, Model, ServiceModel } from '../../model/types.ts';
import {
  appSecretName,
  dependencySource,
  postgresPasswordKey,
  secretKey,
  serviceValue,
  type ValueSource,
} from './_connections.ts';

export interface ContainerEnv {
  /** Plain variables, for the service's env ConfigMap. */
  plain: Record<string, string>;
  /** Variables that involve secrets, in dependency order. */
  env: V1EnvVar[];
}

export function containerEnv(model: Model, svc: ServiceModel): ContainerEnv {
  const plain: Record<string, string> = {};
  const helpers = new Map<string, V1EnvVar>();
  const env: V1EnvVar[] = [];
  for (const v of svc.env) {
    const r = renderVar(model, v, helpers);
    if ('plain' in r) plain[v.name] = r.plain;
    else env.push(r.env);
  }
  return { plain, env: [...helpers.values(), ...env] };
}

function renderVar(
  model: Model,
  v: EnvVarModel,
  helpers: Map<string, V1EnvVar>,
): { plain: string } | { env: V1EnvVar } {
  const value = v.value;
  if (value.kind === 'literal') return { plain: value.value };
  if (value.kind === 'secret') {
    return {
      env: {
        name: v.name,
        valueFrom: { secretKeyRef: { name: appSecretName(model), key: secretKey(model, value.secret) } },
      },
    };
  }
  // A template: resolve each part to text, or to a secret that must be expanded from a helper.
  const parts: ({ text: string } | { secret: { name: string; key: string } })[] = [];
  for (const p of value.parts) {
    if ('text' in p) parts.push({ text: p.text });
    else if ('service' in p) parts.push({ text: serviceValue(model, p.service, p.property) });
    else {
      const dep = model.dependencies.find((d) => d.name === p.dependency);
      if (!dep) throw new Error(`internal: dependency ${p.dependency} not in model`);
      const src: ValueSource | undefined = dependencySource(model, dep, p.property);
      if (src) parts.push('value' in src ? { text: src.value } : src);
      else if (p.property === 'url' && dep.type === 'postgres') {
        // Self-hosted PostgreSQL: compose the URL, its password expanded from a secret variable.
        parts.push({ text: `postgresql://${dep.user}:` });
        parts.push({ secret: { name: appSecretName(model), key: postgresPasswordKey(dep) } });
        const host = dependencySource(model, dep, 'host');
        parts.push({ text: `@${host && 'value' in host ? host.value : ''}:${dep.port}/${dep.database}` });
      } else {
        throw new Error(`internal: ${p.dependency}.${p.property} is not available in ${dep.mode} mode`);
      }
    }
  }
  const only = parts[0];
  if (parts.length === 1 && only && 'secret' in only)
    return { env: { name: v.name, valueFrom: { secretKeyRef: only.secret } } };
  if (parts.every((p) => 'text' in p))
    return { plain: parts.map((p) => ('text' in p ? p.text : '')).join('') };
  const text = parts
    .map((p) => {
      if ('text' in p) return p.text.replace(/\$\(/g, '$$$$('); // `$(` in text must not expand: `$$(`.
      const helper = helperName(p.secret.key);
      if (!helpers.has(helper)) helpers.set(helper, { name: helper, valueFrom: { secretKeyRef: p.secret } });
      return `$(${helper})`;
    })
    .join('');
  return { env: { name: v.name, value: text } };
}

function helperName(key: string): string {
  return `SLIPWAY_SECRET_${key.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}
