/**
 * How a container reaches each dependency and service in a compose project: the same properties
 * as on Kubernetes (`${dependencies.db.url}`, `${services.api.host}`), with compose service names
 * as hosts. Passwords and external URLs are secrets, so they become env-file interpolations.
 */
import type { DependencyModel, Model } from '../../model/types.ts';
import type { DependencyProperty, ServiceProperty } from '../../spec/references.ts';

/** Text, or a declared secret interpolated from the env file. */
export type ValuePart = { text: string } | { secret: string };

/** Compose runs the self-hosted dependencies; external ones live elsewhere, sqlite is a file. */
export function runsInCompose(d: DependencyModel): boolean {
  return d.mode === 'self-hosted' || d.mode === 'ha';
}

/** The implicit secret holding a self-hosted PostgreSQL's password. */
export function postgresPasswordSecret(d: DependencyModel): string {
  return `${d.name}-password`;
}

export function dependencyHost(d: DependencyModel): string {
  return d.mode === 'external' ? (d.external?.host ?? '') : d.name;
}

/** Where a property of a dependency comes from; undefined when its mode cannot provide it. */
export function dependencyValue(d: DependencyModel, property: DependencyProperty): ValuePart[] | undefined {
  if (d.mode === 'sqlite') return property === 'url' ? [{ text: d.sqlitePath ?? ':memory:' }] : undefined;
  if (d.mode === 'external') {
    if (property === 'url' && d.external) return [{ secret: d.external.secret }];
    if (property === 'host' && d.external?.host) return [{ text: d.external.host }];
    if (property === 'port' && d.external?.host) return [{ text: String(d.port) }];
    return undefined;
  }
  const host = dependencyHost(d);
  if (d.type === 'postgres') {
    switch (property) {
      case 'host':
        return [{ text: host }];
      case 'port':
        return [{ text: String(d.port) }];
      case 'user':
        return [{ text: d.user ?? '' }];
      case 'database':
        return [{ text: d.database ?? '' }];
      case 'password':
        return [{ secret: postgresPasswordSecret(d) }];
      case 'url':
        // Composed by compose itself: the password is interpolated, never written.
        return [
          { text: `postgresql://${d.user}:` },
          { secret: postgresPasswordSecret(d) },
          { text: `@${host}:${d.port}/${d.database}` },
        ];
    }
  }
  switch (property) {
    case 'host':
      return [{ text: host }];
    case 'port':
      return [{ text: String(d.port) }];
    case 'url':
      return [{ text: `redis://${host}:${d.port}` }];
    case 'database':
      return [{ text: '0' }];
    default:
      return undefined;
  }
}

export function serviceValue(model: Model, serviceName: string, property: ServiceProperty): string {
  const svc = model.services.find((s) => s.name === serviceName);
  const port = svc?.ports[0]?.port ?? 80;
  if (property === 'host') return serviceName;
  if (property === 'port') return String(port);
  return `http://${serviceName}:${port}`;
}
