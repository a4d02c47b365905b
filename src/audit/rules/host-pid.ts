import { POD_SPEC_KINDS, podSpecOf } from '../_k8s.ts';
import { defineRule } from '../types.ts';

export const hostPid = defineRule({
  id: 'host-pid',
  severity: 'error',
  kinds: POD_SPEC_KINDS,
  description: "The pod shares the host's process namespace (`hostPID: true`).",
  remediation: 'Remove `hostPID: true` from the pod spec.',
  messages: {
    shared: "the pod shares the node's process namespace (hostPID: true)",
  },
  docs: {
    kubeLinter: '`host-pid` (default).',
    podSecurity: 'Baseline › Host Namespaces.',
  },
  *check(o) {
    const pod = podSpecOf(o);
    if (pod?.spec.hostPID === true) yield { message: 'shared', path: `${pod.path}/hostPID` };
  },
});
