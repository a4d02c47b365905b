import { containersOf, get, isObject, POD_SPEC_KINDS, podSpecOf, str } from '../_k8s.ts';
import { defineRule } from '../types.ts';

const ALLOWED_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t']);

export const pssBaselineSelinux = defineRule({
  id: 'pss-baseline-selinux',
  severity: 'error',
  kinds: POD_SPEC_KINDS,
  description:
    'The pod or a container sets a custom SELinux user or role, or a type other than container_t, container_init_t or container_kvm_t.',
  remediation: 'Remove `seLinuxOptions.user` and `.role`, and use one of the allowed types (or none).',
  messages: {
    type: '{where} sets seLinuxOptions.type "{value}"',
    user: '{where} sets seLinuxOptions.user',
    role: '{where} sets seLinuxOptions.role',
  },
  docs: { podSecurity: 'Baseline › SELinux.' },
  *check(o) {
    const pod = podSpecOf(o);
    if (!pod) return;
    const places = [
      {
        where: 'the pod',
        opts: get(pod.spec, 'securityContext', 'seLinuxOptions'),
        path: `${pod.path}/securityContext/seLinuxOptions`,
      },
      ...containersOf(pod, true).map((c) => ({
        where: `container "${c.name}"`,
        opts: get(c.c, 'securityContext', 'seLinuxOptions'),
        path: `${c.path}/securityContext/seLinuxOptions`,
      })),
    ];
    for (const p of places) {
      if (!isObject(p.opts)) continue;
      const type = str(p.opts.type);
      if (type !== undefined && !ALLOWED_TYPES.has(type))
        yield { message: 'type', data: { where: p.where, value: type }, path: `${p.path}/type`, at: 'value' };
      for (const f of ['user', 'role'] as const)
        if (typeof p.opts[f] === 'string' && p.opts[f] !== '')
          yield { message: f, data: { where: p.where }, path: `${p.path}/${f}` };
    }
  },
});
