import { containersOf, POD_SPEC_KINDS, podSpecOf } from '../_k8s.ts';
import { defineRule } from '../types.ts';
import { BASELINE_CAPABILITIES, capabilities, dropListPath } from './_capabilities.ts';

export const pssRestrictedCapabilities = defineRule({
  id: 'pss-restricted-capabilities',
  severity: 'warning',
  kinds: POD_SPEC_KINDS,
  description:
    'A container does not drop ALL capabilities, or adds one other than NET_BIND_SERVICE (capabilities beyond baseline are reported by `dangerous-capabilities`).',
  remediation:
    'Set `securityContext.capabilities.drop: [ALL]` on every container and add back at most `NET_BIND_SERVICE`.',
  messages: {
    notDropped: 'container "{container}" does not drop ALL capabilities',
    added: 'container "{container}" adds {capability}: restricted allows only NET_BIND_SERVICE',
  },
  docs: {
    podSecurity: 'Restricted › Capabilities (v1.22+).',
  },
  *check(o) {
    const pod = podSpecOf(o);
    if (!pod) return;
    for (const c of containersOf(pod, true)) {
      if (!capabilities(c, 'drop').some((d) => d.name === 'ALL'))
        yield { message: 'notDropped', data: { container: c.name }, path: dropListPath(c) };
      for (const a of capabilities(c, 'add'))
        if (a.name !== 'NET_BIND_SERVICE' && BASELINE_CAPABILITIES.has(a.name))
          yield {
            message: 'added',
            data: { container: c.name, capability: a.name },
            path: a.at,
            at: 'value',
          };
    }
  },
});
