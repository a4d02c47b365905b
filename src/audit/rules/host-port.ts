import { arr, containersOf, isObject, POD_SPEC_KINDS, podSpecOf } from '../_k8s.ts';
import { defineRule } from '../types.ts';

export const hostPort = defineRule({
  id: 'host-port',
  severity: 'error',
  kinds: POD_SPEC_KINDS,
  description: 'A container binds a port of the node (`ports[].hostPort`).',
  remediation:
    'Remove `hostPort` and expose the port with a Service (ClusterIP, NodePort or LoadBalancer) or an Ingress.',
  messages: {
    hostPort: 'container "{container}" binds port {port} of the node',
  },
  docs: {
    podSecurity: 'Baseline › Host Ports.',
    rationale: 'A host port ties the pod to nodes where the port is free and bypasses network policies.',
  },
  *check(o) {
    const pod = podSpecOf(o);
    if (!pod) return;
    for (const c of containersOf(pod, true))
      for (const [i, p] of arr(c.c.ports).entries())
        if (isObject(p) && typeof p.hostPort === 'number' && p.hostPort !== 0)
          yield {
            message: 'hostPort',
            data: { container: c.name, port: p.hostPort },
            path: `${c.path}/ports/${i}/hostPort`,
            at: 'value',
          };
  },
});
