import { get, mapSelectorMatches, stringMap } from '../_k8s.ts';
import { podLabelsIn } from '../_pods.ts';
import { defineRule } from '../types.ts';

export const danglingService = defineRule({
  id: 'dangling-service',
  severity: 'warning',
  kinds: ['Service'],
  description: 'A Service selects no pods of the audited workloads in its namespace, or has no selector.',
  remediation:
    "Make the Service's `spec.selector` match the pod template labels of a workload; a Service without a selector needs its own Endpoints/EndpointSlices.",
  messages: {
    noMatch: 'no workload in {namespace} has pods labelled {selector}',
    noSelector: 'the Service has no selector and no Endpoints or EndpointSlice of its own',
  },
  docs: {
    kubeLinter:
      "`dangling-service` (default), same check; a selector-less Service that comes with an Endpoints or EndpointSlice of its name is not reported. It reads only the manifests audited together; the pods of CloudNativePG clusters and Redis failovers count, with their operators' labels.",
  },
  *check(o, ctx) {
    if (get(o.value, 'spec', 'type') === 'ExternalName') return;
    const selector = stringMap(get(o.value, 'spec', 'selector'));
    if (Object.keys(selector).length === 0) {
      const own =
        ctx.named('Endpoints', o.namespace, o.name) !== undefined ||
        ctx
          .inNamespace('EndpointSlice', o.namespace)
          .some(
            (e) => stringMap(get(e.value, 'metadata', 'labels'))['kubernetes.io/service-name'] === o.name,
          );
      if (!own) yield { message: 'noSelector', path: get(o.value, 'spec') === undefined ? '' : '/spec' };
      return;
    }
    if (podLabelsIn(ctx.objects, o.namespace).some((p) => mapSelectorMatches(selector, p.labels))) return;
    yield {
      message: 'noMatch',
      data: {
        namespace: o.namespace === '' ? 'the manifests' : `namespace ${o.namespace}`,
        selector: Object.entries(selector)
          .map(([k, v]) => `${k}=${v}`)
          .join(', '),
      },
      path: '/spec/selector',
    };
  },
});
