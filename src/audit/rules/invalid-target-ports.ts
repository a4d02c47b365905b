import { arr, containersOf, get, isObject, POD_SPEC_KINDS, podSpecOf, str } from '../_k8s.ts';
import { defineRule } from '../types.ts';

/** Why a port name is not an IANA service name (RFC 6335 §5.1), as Kubernetes validates it. */
export function portNameProblem(name: string): string | undefined {
  if (name.length > 15) return 'is longer than 15 characters';
  if (!/^[-a-z0-9]+$/.test(name)) return 'may contain only lowercase letters, digits and "-"';
  if (!/[a-z]/.test(name)) return 'must contain at least one letter';
  if (name.startsWith('-') || name.endsWith('-')) return 'must not begin or end with "-"';
  if (name.includes('--')) return 'must not contain "--"';
  return undefined;
}

export const invalidTargetPorts = defineRule({
  id: 'invalid-target-ports',
  severity: 'error',
  kinds: [...POD_SPEC_KINDS, 'Service'],
  description:
    'A container port name or a Service targetPort is not a valid port: names must be IANA service names (≤ 15 lowercase letters, digits and dashes, with a letter), numbers 1–65535.',
  remediation: 'Rename the port (e.g. `http`, `metrics`, `grpc-api`) or use a number between 1 and 65535.',
  messages: {
    containerPort: 'port name "{port}" of container "{container}" {problem}',
    targetPort: 'targetPort "{port}" {problem}',
  },
  docs: { kubeLinter: '`invalid-target-ports` (default), same validation (init containers included).' },
  *check(o) {
    if (o.kind === 'Service') {
      for (const [i, p] of arr(get(o.value, 'spec', 'ports')).entries()) {
        if (!isObject(p)) continue;
        const t = p.targetPort;
        let problem: string | undefined;
        if (typeof t === 'string') problem = /^\d+$/.test(t) ? undefined : portNameProblem(t);
        else if (typeof t === 'number' && t !== 0 && (t < 1 || t > 65535 || !Number.isInteger(t)))
          problem = 'must be between 1 and 65535';
        if (problem)
          yield {
            message: 'targetPort',
            data: { port: String(t), problem },
            path: `/spec/ports/${i}/targetPort`,
            at: 'value',
          };
      }
      return;
    }
    const pod = podSpecOf(o);
    if (!pod) return;
    for (const c of containersOf(pod, true))
      for (const [i, p] of arr(c.c.ports).entries()) {
        const name = isObject(p) ? str(p.name) : undefined;
        if (name === undefined || name === '') continue;
        const problem = portNameProblem(name);
        if (problem)
          yield {
            message: 'containerPort',
            data: { port: name, container: c.name, problem },
            path: `${c.path}/ports/${i}/name`,
            at: 'value',
          };
      }
  },
});
