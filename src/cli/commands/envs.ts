/** `slipway envs <spec>`: each environment with its name and target. */
import { resolveEnvironment } from '../../model/resolve.ts';
import { loadOrThrow } from '../_load.ts';
import { type Io, json, paint } from '../output.ts';

export function envsCommand(file: string, io: Io): number {
  const { loaded } = loadOrThrow(file, io);
  const rows = Object.keys(loaded.spec.environments).map((name) => {
    const m = resolveEnvironment(loaded.spec, name);
    const e = m.environment;
    return {
      name,
      target: e.target,
      ...(e.target === 'kubernetes'
        ? {
            namespace: e.namespace,
            kubernetesVersion: e.kubernetesVersion,
            ...(e.context ? { context: e.context } : {}),
          }
        : { project: e.namespace, profile: e.profile }),
      services: m.services.length,
      dependencies: m.dependencies.map((d) => `${d.name}:${d.type}/${d.mode}`),
      hosts: e.hosts,
    };
  });
  if (io.format === 'json') {
    io.out(json(rows));
    return 0;
  }
  const table = [['ENVIRONMENT', 'TARGET', 'WHERE', 'SERVICES', 'DEPENDENCIES', 'HOSTS']].concat(
    rows.map((r) => [
      r.name,
      r.target,
      'namespace' in r
        ? `namespace ${r.namespace} (k8s ${r.kubernetesVersion})`
        : `project ${r.project} (${r.profile})`,
      String(r.services),
      r.dependencies.join(', ') || '-',
      r.hosts.join(', ') || '-',
    ]),
  );
  const widths = table[0]?.map((_, i) => Math.max(...table.map((row) => (row[i] ?? '').length))) ?? [];
  table.forEach((row, i) => {
    const line = row
      .map((c, j) => c.padEnd(widths[j] ?? 0))
      .join('  ')
      .trimEnd();
    io.out(`${i === 0 ? paint(io, 'bold', line) : line}\n`);
  });
  return 0;
}
