import { compareMinor } from '../../verify/schema/removed-apis.ts';
import { containersOf, get, POD_SPEC_KINDS, podSpecOf } from '../_k8s.ts';
import { defineRule } from '../types.ts';

const HANDLERS = [
  ['livenessProbe'],
  ['readinessProbe'],
  ['startupProbe'],
  ['lifecycle', 'postStart'],
  ['lifecycle', 'preStop'],
] as const;

export const pssBaselineProbeHost = defineRule({
  id: 'pss-baseline-probe-host',
  severity: 'error',
  kinds: POD_SPEC_KINDS,
  description:
    'A probe or lifecycle handler sends its request to another host (`httpGet.host` / `tcpSocket.host`); Pod Security baseline forbids it from Kubernetes 1.34.',
  remediation: 'Remove `host`: probes and handlers then target the pod itself.',
  messages: {
    host: 'container "{container}" {handler} targets host "{host}"',
  },
  docs: {
    podSecurity:
      'Baseline › Host Probes / Lifecycle Hooks (v1.34+); not reported for an earlier target version.',
  },
  *check(o, ctx) {
    if (compareMinor(ctx.kubernetesVersion, '1.34') < 0) return;
    const pod = podSpecOf(o);
    if (!pod) return;
    for (const c of containersOf(pod, true))
      for (const h of HANDLERS)
        for (const action of ['httpGet', 'tcpSocket'] as const) {
          const host = get(c.c, ...h, action, 'host');
          if (typeof host === 'string' && host !== '')
            yield {
              message: 'host',
              data: { container: c.name, handler: h.join('.'), host },
              path: `${c.path}/${h.join('/')}/${action}/host`,
              at: 'value',
            };
        }
  },
});
