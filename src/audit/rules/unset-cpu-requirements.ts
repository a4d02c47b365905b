import { containersOf, get, POD_SPEC_KINDS, podSpecOf } from '../_k8s.ts';
import { defineRule } from '../types.ts';
import { isUnset, resourcePath } from './_resources.ts';

export const unsetCpuRequirements = defineRule({
  id: 'unset-cpu-requirements',
  severity: 'warning',
  kinds: POD_SPEC_KINDS,
  description: 'A container has no CPU request (or a zero one).',
  remediation:
    'Set `resources.requests.cpu` to what the container needs at steady load: the scheduler places pods by their requests, and an unrequested container gets CPU only when nobody else wants it.',
  messages: {
    unset: 'container "{container}" has no CPU request',
  },
  docs: {
    kubeLinter:
      '`unset-cpu-requirements` (default), same check: the CPU request (kube-linter does not require a CPU limit either: CPU limits throttle).',
  },
  *check(o) {
    const pod = podSpecOf(o);
    if (!pod) return;
    for (const c of containersOf(pod))
      if (isUnset(get(c.c, 'resources', 'requests', 'cpu')))
        yield { message: 'unset', data: { container: c.name }, path: resourcePath(c, 'requests', 'cpu') };
  },
});
