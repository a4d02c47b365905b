/**
 * A container's `environment:` in compose, with the Kubernetes renderer's semantics: plain values
 * as they are, secrets as required interpolations from the env file, and references resolved to
 * compose service names — a database URL is composed by compose interpolation around the
 * password variable, so no secret value is ever written into compose.yaml.
 */
import type { Model, ServiceModel } from '../../model/types.ts';
import { dependencyValue, serviceValue, type ValuePart } from './connections.ts';
import { literal, secretReference } from './interpolation.ts';

export function composeEnvironment(model: Model, svc: ServiceModel): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of svc.env) {
    const value = v.value;
    let parts: ValuePart[];
    if (value.kind === 'literal') parts = [{ text: value.value }];
    else if (value.kind === 'secret') parts = [{ secret: value.secret }];
    else {
      parts = value.parts.flatMap((p): ValuePart[] => {
        if ('text' in p) return [{ text: p.text }];
        if ('service' in p) return [{ text: serviceValue(model, p.service, p.property) }];
        const dep = model.dependencies.find((d) => d.name === p.dependency);
        if (!dep) throw new Error(`internal: dependency ${p.dependency} not in model`);
        const resolved = dependencyValue(dep, p.property);
        if (!resolved)
          throw new Error(`internal: ${p.dependency}.${p.property} is not available in ${dep.mode} mode`);
        return resolved;
      });
    }
    out[v.name] = parts
      .map((p) => ('text' in p ? literal(p.text) : secretReference(model, p.secret)))
      .join('');
  }
  return out;
}

/** The declared secrets a service's environment interpolates. */
export function secretsUsed(model: Model, svc: ServiceModel): Set<string> {
  const used = new Set<string>();
  for (const v of svc.env) {
    if (v.value.kind === 'secret') used.add(v.value.secret);
    if (v.value.kind !== 'template') continue;
    for (const p of v.value.parts) {
      if (!('dependency' in p)) continue;
      const dep = model.dependencies.find((d) => d.name === p.dependency);
      for (const part of dep ? (dependencyValue(dep, p.property) ?? []) : [])
        if ('secret' in part) used.add(part.secret);
    }
  }
  return used;
}
