import { containersOf, get, POD_SPEC_KINDS, podSpecOf } from '../_k8s.ts';
import { defineRule } from '../types.ts';

export const pssBaselineHostProcess = defineRule({
  id: 'pss-baseline-host-process',
  severity: 'error',
  kinds: POD_SPEC_KINDS,
  description:
    'The pod or a container is a Windows HostProcess container (privileged access to the Windows node).',
  remediation: 'Remove `windowsOptions.hostProcess: true`.',
  messages: {
    hostProcess: '{where} sets windowsOptions.hostProcess: true',
  },
  docs: { podSecurity: 'Baseline › HostProcess.' },
  *check(o) {
    const pod = podSpecOf(o);
    if (!pod) return;
    if (get(pod.spec, 'securityContext', 'windowsOptions', 'hostProcess') === true)
      yield {
        message: 'hostProcess',
        data: { where: 'the pod' },
        path: `${pod.path}/securityContext/windowsOptions/hostProcess`,
      };
    for (const c of containersOf(pod, true))
      if (get(c.c, 'securityContext', 'windowsOptions', 'hostProcess') === true)
        yield {
          message: 'hostProcess',
          data: { where: `container "${c.name}"` },
          path: `${c.path}/securityContext/windowsOptions/hostProcess`,
        };
  },
});
