import { containersOf, get, POD_SPEC_KINDS, podSpecOf } from '../_k8s.ts';
import { defineRule } from '../types.ts';
import { isUnset, resourcePath } from './_resources.ts';

export const unsetMemoryRequirements = defineRule({
  id: 'unset-memory-requirements',
  severity: 'warning',
  kinds: POD_SPEC_KINDS,
  description: 'A container has no memory limit (or a zero one).',
  remediation:
    'Set `resources.limits.memory` (and a request): without a limit one leaking container can exhaust the node and get its neighbours killed.',
  messages: {
    unset: 'container "{container}" has no memory limit',
  },
  docs: {
    kubeLinter:
      '`unset-memory-requirements` (default), same check: the memory limit (a request defaults to the limit).',
  },
  *check(o) {
    const pod = podSpecOf(o);
    if (!pod) return;
    for (const c of containersOf(pod))
      if (isUnset(get(c.c, 'resources', 'limits', 'memory')))
        yield { message: 'unset', data: { container: c.name }, path: resourcePath(c, 'limits', 'memory') };
  },
});
