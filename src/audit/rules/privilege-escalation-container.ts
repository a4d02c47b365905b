import { containersOf, get, POD_SPEC_KINDS, podSpecOf } from '../_k8s.ts';
import { defineRule } from '../types.ts';

export const privilegeEscalationContainer = defineRule({
  id: 'privilege-escalation-container',
  severity: 'error',
  kinds: POD_SPEC_KINDS,
  description: 'A container explicitly allows privilege escalation (`allowPrivilegeEscalation: true`).',
  remediation:
    'Set `securityContext.allowPrivilegeEscalation: false` on the container (and do not add CAP_SYS_ADMIN or run it privileged).',
  messages: {
    allowed:
      'container "{container}" sets allowPrivilegeEscalation: true: a process can gain more privileges than its parent (setuid binaries)',
  },
  docs: {
    kubeLinter: '`privilege-escalation-container` (default), extended to init and ephemeral containers.',
    podSecurity:
      'Restricted › Privilege Escalation forbids it too; `pss-restricted-privilege-escalation` also flags an unset field.',
  },
  *check(o) {
    const pod = podSpecOf(o);
    if (!pod) return;
    for (const c of containersOf(pod, true))
      if (get(c.c, 'securityContext', 'allowPrivilegeEscalation') === true)
        yield {
          message: 'allowed',
          data: { container: c.name },
          path: `${c.path}/securityContext/allowPrivilegeEscalation`,
        };
  },
});
