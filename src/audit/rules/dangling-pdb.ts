import { get, isObject } from '../_k8s.ts';
import { anyPodMatches } from '../_pods.ts';
import { defineRule } from '../types.ts';

export const danglingPdb = defineRule({
  id: 'dangling-pdb',
  severity: 'warning',
  kinds: ['PodDisruptionBudget'],
  description: 'A PodDisruptionBudget selects no pods of the audited workloads in its namespace.',
  remediation: "Make the budget's `spec.selector` match the pod template labels of the workload it protects.",
  messages: {
    noMatch: 'no workload in {namespace} has pods this budget selects: it protects nothing',
    noSelector: 'the PodDisruptionBudget has no selector',
  },
  docs: {
    rationale: 'A budget that matches nothing silently protects nothing during node drains.',
    kubeLinter:
      "No kube-linter equivalent. It reads only the manifests audited together; the pods of CloudNativePG clusters and Redis failovers count, with their operators' labels.",
  },
  *check(o, ctx) {
    const selector = get(o.value, 'spec', 'selector');
    if (!isObject(selector)) {
      yield { message: 'noSelector', path: '/spec' };
      return;
    }
    if (anyPodMatches(ctx.objects, o.namespace, selector)) return;
    yield {
      message: 'noMatch',
      data: { namespace: o.namespace === '' ? 'the manifests' : `namespace ${o.namespace}` },
      path: '/spec/selector',
    };
  },
});
