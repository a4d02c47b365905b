import { POD_SPEC_KINDS, podSpecOf } from '../_k8s.ts';
import { defineRule } from '../types.ts';

export const hostNetwork = defineRule({
  id: 'host-network',
  severity: 'error',
  kinds: POD_SPEC_KINDS,
  description: "The pod shares the host's network namespace (`hostNetwork: true`).",
  remediation: 'Remove `hostNetwork: true` from the pod spec.',
  messages: {
    shared: "the pod shares the node's network namespace (hostNetwork: true)",
  },
  docs: {
    kubeLinter: '`host-network` (default).',
    podSecurity: 'Baseline › Host Namespaces.',
  },
  *check(o) {
    const pod = podSpecOf(o);
    if (pod?.spec.hostNetwork === true) yield { message: 'shared', path: `${pod.path}/hostNetwork` };
  },
});
