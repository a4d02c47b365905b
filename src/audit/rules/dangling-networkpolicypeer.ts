import { arr, get, isEmptySelector, isObject } from '../_k8s.ts';
import { anyPodMatches } from '../_pods.ts';
import { defineRule } from '../types.ts';

export const danglingNetworkpolicypeer = defineRule({
  id: 'dangling-networkpolicypeer',
  severity: 'warning',
  kinds: ['NetworkPolicy'],
  description:
    "A NetworkPolicy ingress `from` or egress `to` peer's `podSelector` (without a `namespaceSelector`) matches no pod of the audited workloads in the policy's namespace.",
  remediation:
    "Make the peer's `podSelector` match the pod template labels of the workload that should be allowed, or add a `namespaceSelector` when the peer lives in another namespace.",
  messages: {
    noMatch: 'no pod in {namespace} matches this {direction} peer: the rule allows nothing',
  },
  docs: {
    rationale:
      'A peer that matches nothing allows no traffic: the connection it was written for is silently dropped once the policy applies, usually after a label was renamed.',
    kubeLinter:
      "`dangling-networkpolicypeer` (not enabled by default in kube-linter), same check: only peers without a `namespaceSelector` (those select pods of the policy's own namespace). It reads only the manifests audited together; the pods of CloudNativePG clusters and Redis failovers count, with their operators' labels.",
  },
  *check(o, ctx) {
    for (const [direction, field] of [
      ['ingress', 'from'],
      ['egress', 'to'],
    ] as const) {
      for (const [r, rule] of arr(get(o.value, 'spec', direction)).entries()) {
        for (const [p, peer] of arr(get(rule, field)).entries()) {
          if (!isObject(peer) || peer.namespaceSelector !== undefined) continue;
          const selector = peer.podSelector;
          if (!isObject(selector) || isEmptySelector(selector)) continue;
          if (anyPodMatches(ctx.objects, o.namespace, selector)) continue;
          yield {
            message: 'noMatch',
            data: {
              namespace: o.namespace === '' ? 'the manifests' : `namespace ${o.namespace}`,
              direction,
            },
            path: `/spec/${direction}/${r}/${field}/${p}/podSelector`,
          };
        }
      }
    }
  },
});
