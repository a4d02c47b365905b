import { POD_SPEC_KINDS, podSpecOf } from '../_k8s.ts';
import { defineRule } from '../types.ts';

export const hostIpc = defineRule({
  id: 'host-ipc',
  severity: 'error',
  kinds: POD_SPEC_KINDS,
  description: "The pod shares the host's IPC namespace (`hostIPC: true`).",
  remediation: 'Remove `hostIPC: true` from the pod spec.',
  messages: {
    shared: "the pod shares the node's IPC namespace (hostIPC: true)",
  },
  docs: {
    kubeLinter: '`host-ipc` (default).',
    podSecurity: 'Baseline › Host Namespaces.',
  },
  *check(o) {
    const pod = podSpecOf(o);
    if (pod?.spec.hostIPC === true) yield { message: 'shared', path: `${pod.path}/hostIPC` };
  },
});
