import { containersOf, POD_SPEC_KINDS, podSpecOf } from '../_k8s.ts';
import { defineRule } from '../types.ts';
import { BASELINE_CAPABILITIES, capabilities } from './_capabilities.ts';

export const dangerousCapabilities = defineRule({
  id: 'dangerous-capabilities',
  severity: 'error',
  kinds: POD_SPEC_KINDS,
  description:
    'A container adds a capability beyond the container runtime defaults Pod Security baseline allows (SYS_ADMIN, NET_ADMIN, SYS_PTRACE, ALL…).',
  remediation:
    'Remove the capability from `securityContext.capabilities.add`. Baseline allows only AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID and SYS_CHROOT.',
  messages: {
    added: 'container "{container}" adds the capability {capability}',
  },
  docs: {
    podSecurity: 'Baseline › Capabilities.',
    rationale:
      'Capabilities such as SYS_ADMIN or NET_ADMIN let a container reconfigure the node or escape it; a namespace enforcing baseline rejects such pods.',
  },
  *check(o) {
    const pod = podSpecOf(o);
    if (!pod) return;
    for (const c of containersOf(pod, true))
      for (const a of capabilities(c, 'add'))
        if (!BASELINE_CAPABILITIES.has(a.name))
          yield {
            message: 'added',
            data: { container: c.name, capability: a.name },
            path: a.at,
            at: 'value',
          };
  },
});
