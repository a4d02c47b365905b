import { containersOf, get, POD_SPEC_KINDS, podSpecOf, securityAnchor } from '../_k8s.ts';
import { defineRule } from '../types.ts';

export const pssRestrictedSeccomp = defineRule({
  id: 'pss-restricted-seccomp',
  severity: 'warning',
  kinds: POD_SPEC_KINDS,
  description:
    'A container runs without an explicit seccomp profile (RuntimeDefault or Localhost) at pod or container level.',
  remediation:
    'Set `securityContext.seccompProfile.type: RuntimeDefault` on the pod (or on every container).',
  messages: {
    unset:
      'container "{container}" has no seccomp profile (neither the pod nor the container sets seccompProfile.type)',
  },
  docs: {
    podSecurity: 'Restricted › Seccomp (v1.19+); `Unconfined` is reported by `pss-baseline-seccomp`.',
  },
  *check(o) {
    const pod = podSpecOf(o);
    if (!pod) return;
    for (const c of containersOf(pod, true)) {
      const own = get(c.c, 'securityContext', 'seccompProfile', 'type');
      const type = own ?? get(pod.spec, 'securityContext', 'seccompProfile', 'type');
      if (type === 'RuntimeDefault' || type === 'Localhost' || type === 'Unconfined') continue;
      yield { message: 'unset', data: { container: c.name }, path: securityAnchor(pod, c) };
    }
  },
});
