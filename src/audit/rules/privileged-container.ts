import { containersOf, POD_SPEC_KINDS, podSpecOf } from '../_k8s.ts';
import { defineRule } from '../types.ts';

export const privilegedContainer = defineRule({
  id: 'privileged-container',
  severity: 'error',
  kinds: POD_SPEC_KINDS,
  description: 'A container runs in privileged mode.',
  remediation:
    'Remove `securityContext.privileged: true`; grant the specific capability the container needs instead.',
  messages: {
    privileged:
      'container "{container}" runs privileged: it has every capability and access to all host devices',
  },
  docs: {
    rationale:
      'A privileged container disables almost every isolation mechanism: root in it is root on the node.',
    kubeLinter: '`privileged-container` (default), extended to init and ephemeral containers.',
    podSecurity: 'Baseline › Privileged Containers.',
  },
  *check(o) {
    const pod = podSpecOf(o);
    if (!pod) return;
    for (const c of containersOf(pod, true)) {
      if (c.c.securityContext && (c.c.securityContext as { privileged?: unknown }).privileged === true)
        yield {
          message: 'privileged',
          data: { container: c.name },
          path: `${c.path}/securityContext/privileged`,
        };
    }
  },
});
