import { arr, containersOf, isObject, POD_SPEC_KINDS, podSpecOf } from '../_k8s.ts';
import { defineRule } from '../types.ts';

export const sshPort = defineRule({
  id: 'ssh-port',
  severity: 'warning',
  kinds: POD_SPEC_KINDS,
  description: 'A container exposes TCP port 22, the SSH port.',
  remediation:
    'Do not run an SSH server in a container (use `kubectl exec` or an ephemeral debug container); if the service is not SSH, move it off port 22.',
  messages: {
    ssh: 'container "{container}" exposes port 22/TCP (SSH)',
  },
  docs: { kubeLinter: '`ssh-port` (default), same check.' },
  *check(o) {
    const pod = podSpecOf(o);
    if (!pod) return;
    for (const c of containersOf(pod))
      for (const [i, p] of arr(c.c.ports).entries()) {
        if (!isObject(p) || p.containerPort !== 22) continue;
        const protocol = p.protocol ?? 'TCP';
        if (protocol === 'TCP' || protocol === '')
          yield {
            message: 'ssh',
            data: { container: c.name },
            path: `${c.path}/ports/${i}/containerPort`,
            at: 'value',
          };
      }
  },
});
