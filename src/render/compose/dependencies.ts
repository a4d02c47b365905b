/**
 * Self-hosted dependencies as containers, hardened like the Kubernetes StatefulSets: the official
 * images run directly as their own user (uid 999, which owns the data directories), with a
 * read-only root, tmpfs for the socket and temporary files, and the data in a named volume. A
 * PostgreSQL password is interpolated from the env file like every secret. External and sqlite
 * dependencies have no container.
 */
import type { DependencyModel, Model } from '../../model/types.ts';
import { postgresPasswordSecret, runsInCompose } from './connections.ts';
import { CAP_DROP, PRODUCTION_LOGGING, SECURITY_OPT, userSpec } from './hardening.ts';
import { composeHealthcheck } from './healthcheck.ts';
import { literal, secretReference } from './interpolation.ts';
import { composeResources } from './resources.ts';

/** Official postgres and redis images run as uid 999. */
export const DEPENDENCY_UID = 999;

export function dependencyVolume(d: DependencyModel): string {
  return `${d.name}-data`;
}

/** PostgreSQL 18 images keep their data under /var/lib/postgresql/<major>/docker. */
function postgresDataPath(d: DependencyModel): string {
  return Number.parseInt(d.version, 10) >= 18 ? '/var/lib/postgresql' : '/var/lib/postgresql/data';
}

/** The volumes a dependency container needs (named, declared at the top level). */
export function dependencyVolumes(model: Model): string[] {
  return model.dependencies
    .filter((d) => runsInCompose(d) && (d.type === 'postgres' || d.persistence))
    .map(dependencyVolume);
}

export function dependencyService(model: Model, d: DependencyModel): Record<string, unknown> {
  const production = model.environment.profile === 'production';
  const timings = (startupBudget: number) => ({
    intervalSeconds: 10,
    timeoutSeconds: 5,
    retries: 3,
    startPeriodSeconds: startupBudget,
    startIntervalSeconds: 5,
  });
  const hardening = {
    restart: 'unless-stopped',
    deploy: { resources: composeResources(d.resources) },
    read_only: true,
  };
  const tail = {
    security_opt: SECURITY_OPT,
    cap_drop: CAP_DROP,
    stop_grace_period: '60s',
    ...(production ? { logging: PRODUCTION_LOGGING } : {}),
  };
  if (d.type === 'postgres') {
    const params = Object.entries(d.parameters).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return {
      image: d.image,
      ...(params.length > 0
        ? { command: ['postgres', ...params.flatMap(([k, v]) => ['-c', literal(`${k}=${v}`)])] }
        : {}),
      user: userSpec(DEPENDENCY_UID),
      environment: {
        POSTGRES_USER: literal(d.user ?? 'postgres'),
        POSTGRES_DB: literal(d.database ?? 'postgres'),
        POSTGRES_PASSWORD: secretReference(model, postgresPasswordSecret(d)),
      },
      healthcheck: composeHealthcheck(
        // Over TCP: the init-time server listens on the socket only, so healthy means really up.
        ['CMD', 'pg_isready', '-U', d.user ?? 'postgres', '-d', d.database ?? 'postgres', '-h', '127.0.0.1'],
        timings(300),
      ),
      ...hardening,
      tmpfs: ['/tmp', '/var/run/postgresql'],
      volumes: [{ type: 'volume', source: dependencyVolume(d), target: postgresDataPath(d) }],
      ...tail,
    };
  }
  return {
    image: d.image,
    command: d.persistence
      ? ['redis-server', '--appendonly', 'yes', '--dir', '/data']
      : ['redis-server', '--save', '', '--appendonly', 'no'],
    user: userSpec(DEPENDENCY_UID),
    healthcheck: composeHealthcheck(
      ['CMD-SHELL', 'redis-cli -h 127.0.0.1 ping | grep -q PONG'],
      timings(150),
    ),
    ...hardening,
    tmpfs: d.persistence ? ['/tmp'] : ['/tmp', '/data'],
    ...(d.persistence ? { volumes: [{ type: 'volume', source: dependencyVolume(d), target: '/data' }] } : {}),
    ...tail,
  };
}
