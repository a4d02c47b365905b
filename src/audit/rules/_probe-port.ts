/** Probe ports that the container does not expose (kube-linter's liveness/readiness/startup-port). */
import { type ContainerAt, containersOf, exposedPorts, get, isObject, podSpecOf } from '../_k8s.ts';
import type { AuditObject, Report } from '../types.ts';

export type ProbeField = 'livenessProbe' | 'readinessProbe' | 'startupProbe';

export function* unexposedProbePorts(o: AuditObject, probe: ProbeField): Generator<Report<'notExposed'>> {
  const pod = podSpecOf(o);
  if (!pod) return;
  for (const c of containersOf(pod)) yield* check(c, probe);
}

function* check(c: ContainerAt, probe: ProbeField): Generator<Report<'notExposed'>> {
  const p = c.c[probe];
  if (!isObject(p)) return;
  const { numbers, names } = exposedPorts(c.c);
  for (const action of ['httpGet', 'tcpSocket', 'grpc'] as const) {
    const port = get(p, action, 'port');
    if (port === undefined || port === null) continue;
    const ok =
      typeof port === 'number'
        ? numbers.has(port)
        : typeof port === 'string'
          ? names.has(port) || numbers.has(Number(port))
          : true;
    if (!ok)
      yield {
        message: 'notExposed',
        data: { container: c.name, port: String(port), probe },
        path: `${c.path}/${probe}/${action}/port`,
        at: 'value',
      };
  }
}
