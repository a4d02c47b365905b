import { get, isEmptySelector, isObject } from '../_k8s.ts';
import { anyPodMatches } from '../_pods.ts';
import { defineRule } from '../types.ts';

export const danglingNetworkpolicy = defineRule({
  id: 'dangling-networkpolicy',
  severity: 'warning',
  kinds: ['NetworkPolicy'],
  description: "A NetworkPolicy's `podSelector` matches no pod of the audited workloads in its namespace.",
  remediation:
    'Make `spec.podSelector` match the pod template labels of the workload it is meant to isolate (or remove the policy); `podSelector: {}` selects every pod of the namespace.',
  messages: {
    noMatch: 'no pod in {namespace} matches this podSelector: the policy isolates nothing',
  },
  docs: {
    rationale:
      'A policy whose selector matches nothing looks like protection in review but leaves the pods it was written for open to the whole cluster — usually after a label was renamed.',
    kubeLinter:
      "`dangling-networkpolicy` (not enabled by default in kube-linter), same check. It reads only the manifests audited together; the pods of CloudNativePG clusters and Redis failovers count, with their operators' labels.",
  },
  *check(o, ctx) {
    const selector = get(o.value, 'spec', 'podSelector');
    // An empty (or absent, which the API rejects) selector selects every pod of the namespace.
    if (!isObject(selector) || isEmptySelector(selector)) return;
    if (anyPodMatches(ctx.objects, o.namespace, selector)) return;
    yield {
      message: 'noMatch',
      data: { namespace: o.namespace === '' ? 'the manifests' : `namespace ${o.namespace}` },
      path: '/spec/podSelector',
    };
  },
});
