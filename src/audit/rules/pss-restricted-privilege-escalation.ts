import { containersOf, get, POD_SPEC_KINDS, podSpecOf, securityContextPath } from '../_k8s.ts';
import { defineRule } from '../types.ts';

export const pssRestrictedPrivilegeEscalation = defineRule({
  id: 'pss-restricted-privilege-escalation',
  severity: 'warning',
  kinds: POD_SPEC_KINDS,
  description:
    'A container does not set `allowPrivilegeEscalation: false` (an explicit `true` is reported by `privilege-escalation-container`).',
  remediation: 'Set `securityContext.allowPrivilegeEscalation: false` on every container.',
  messages: {
    unset: 'container "{container}" does not set allowPrivilegeEscalation: false (it defaults to true)',
  },
  docs: {
    podSecurity: 'Restricted › Privilege Escalation (v1.8+).',
  },
  *check(o) {
    const pod = podSpecOf(o);
    if (!pod) return;
    for (const c of containersOf(pod, true)) {
      const v = get(c.c, 'securityContext', 'allowPrivilegeEscalation');
      if (v === false || v === true) continue;
      yield { message: 'unset', data: { container: c.name }, path: securityContextPath(c) };
    }
  },
});
