import { containersOf, get, POD_SPEC_KINDS, podSpecOf } from '../_k8s.ts';
import { defineRule } from '../types.ts';

export const pssBaselineSeccomp = defineRule({
  id: 'pss-baseline-seccomp',
  severity: 'error',
  kinds: POD_SPEC_KINDS,
  description: 'The pod or a container turns seccomp off (`seccompProfile.type: Unconfined`).',
  remediation:
    'Use `seccompProfile: { type: RuntimeDefault }` (or a Localhost profile) instead of Unconfined.',
  messages: {
    pod: 'the pod sets seccompProfile.type: Unconfined',
    container: 'container "{container}" sets seccompProfile.type: Unconfined',
  },
  docs: { podSecurity: 'Baseline › Seccomp (v1.19+).' },
  *check(o) {
    const pod = podSpecOf(o);
    if (!pod) return;
    if (get(pod.spec, 'securityContext', 'seccompProfile', 'type') === 'Unconfined')
      yield { message: 'pod', path: `${pod.path}/securityContext/seccompProfile/type`, at: 'value' };
    for (const c of containersOf(pod, true))
      if (get(c.c, 'securityContext', 'seccompProfile', 'type') === 'Unconfined')
        yield {
          message: 'container',
          data: { container: c.name },
          path: `${c.path}/securityContext/seccompProfile/type`,
          at: 'value',
        };
  },
});
