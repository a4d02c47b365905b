/**
 * How a pod reaches each dependency and service in a Kubernetes environment: every property a
 * spec can reference (`${dependencies.db.url}`, `${services.api.host}`) becomes either a plain
 * value or a key of a Secret. Passwords are never plain values.
 */

import type { DependencyModel, Model } from '../../model/types.ts';
import type { DependencyProperty, ServiceProperty } from '../../spec/references.ts';
import { objectName } from './_names.ts';

export type ValueSource = { value: string } | { secret: { name: string; key: string } };

/** The Secret holding the app's secrets (created per the environment's secret source). */
export function appSecretName(model: Model): string {
  return model.environment.secretSource.name;
}

/** Key, in the app Secret, of a declared secret. */
export function secretKey(model: Model, secret: string): string {
  return model.secrets.find((s) => s.name === secret)?.key ?? secret;
}

/** Service name a dependency is reached at, per mode. */
export function dependencyHost(model: Model, d: DependencyModel): string {
  const name = objectName(model, d.name);
  if (d.mode === 'ha') return d.type === 'postgres' ? `${name}-rw` : `rfrm-${name}`;
  if (d.mode === 'external') return d.external?.host ?? '';
  return name;
}

/** Where each property of a dependency comes from; undefined when the mode cannot provide it. */
export function dependencySource(
  model: Model,
  d: DependencyModel,
  property: DependencyProperty,
): ValueSource | undefined {
  const host = dependencyHost(model, d);
  const appSecret = appSecretName(model);
  if (d.mode === 'sqlite') return property === 'url' ? { value: d.sqlitePath ?? ':memory:' } : undefined;
  if (d.mode === 'external') {
    if (property === 'url' && d.external)
      return { secret: { name: appSecret, key: secretKey(model, d.external.secret) } };
    if (property === 'host' && d.external?.host) return { value: d.external.host };
    if (property === 'port' && d.external?.host) return { value: String(d.port) };
    return undefined;
  }
  if (d.type === 'postgres') {
    // CloudNativePG writes `<cluster>-app` with username, password, dbname and uri.
    const password =
      d.mode === 'ha'
        ? { name: `${objectName(model, d.name)}-app`, key: 'password' }
        : { name: appSecret, key: postgresPasswordKey(d) };
    switch (property) {
      case 'host':
        return { value: host };
      case 'port':
        return { value: String(d.port) };
      case 'user':
        return { value: d.user ?? '' };
      case 'database':
        return { value: d.database ?? '' };
      case 'password':
        return { secret: password };
      case 'url':
        return d.mode === 'ha'
          ? { secret: { name: `${objectName(model, d.name)}-app`, key: 'uri' } }
          : undefined;
    }
  }
  switch (property) {
    case 'host':
      return { value: host };
    case 'port':
      return { value: String(d.port) };
    case 'url':
      return { value: `redis://${host}:${d.port}` };
    case 'database':
      return { value: '0' };
    default:
      return undefined;
  }
}

/** The app-Secret key of a self-hosted PostgreSQL password (an implicit secret of the model). */
export function postgresPasswordKey(d: DependencyModel): string {
  return `${d.name}-password`;
}

export function serviceValue(model: Model, serviceName: string, property: ServiceProperty): string {
  const svc = model.services.find((s) => s.name === serviceName);
  const host = objectName(model, serviceName);
  const port = svc?.ports[0]?.port ?? 80;
  if (property === 'host') return host;
  if (property === 'port') return String(port);
  return `http://${host}:${port}`;
}
