import { POD_SPEC_KINDS } from '../_k8s.ts';
import { defineRule } from '../types.ts';
import { unexposedProbePorts } from './_probe-port.ts';

export const livenessPort = defineRule({
  id: 'liveness-port',
  severity: 'error',
  kinds: POD_SPEC_KINDS,
  description: "A container's liveness probe targets a port the container does not expose.",
  remediation:
    "Point the probe at one of the container's `ports` (by number or name), or declare the port; a probe on a closed port always fails.",
  messages: {
    notExposed: 'container "{container}" does not expose port {port} used by its {probe}',
  },
  docs: {
    kubeLinter:
      '`liveness-port` (default), same logic: TCP ports (or no protocol) by number or name; httpGet, tcpSocket and grpc.',
  },
  check: (o) => unexposedProbePorts(o, 'livenessProbe'),
});
