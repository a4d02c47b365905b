import { get, isObject, POD_SPEC_KINDS, podSpecOf, selectorMatches } from '../_k8s.ts';
import { defineRule } from '../types.ts';

export const nonIsolatedPod = defineRule({
  id: 'non-isolated-pod',
  severity: 'warning',
  kinds: POD_SPEC_KINDS,
  description:
    "No NetworkPolicy of the workload's namespace selects its pods: they accept traffic from, and send it to, anywhere in the cluster.",
  remediation:
    'Add a NetworkPolicy whose `podSelector` matches the pods (a default-deny policy with `podSelector: {}` plus explicit allows is the usual start).',
  messages: {
    notSelected: 'no NetworkPolicy in {namespace} selects the pods of this {kind}',
  },
  docs: {
    kubeLinter:
      '`non-isolated-pod` (not enabled by default in kube-linter), same check. It reads only the manifests audited together.',
  },
  *check(o, ctx) {
    const pod = podSpecOf(o);
    if (!pod) return;
    const covered = ctx
      .inNamespace('NetworkPolicy', o.namespace)
      .some((np) => selectorMatches(get(np.value, 'spec', 'podSelector'), pod.labels));
    if (covered) return;
    const meta = get(o.value, ...pod.metadataPath.slice(1).split('/'));
    yield {
      message: 'notSelected',
      data: { namespace: o.namespace === '' ? 'the manifests' : `namespace ${o.namespace}`, kind: o.kind },
      path: isObject(meta) && isObject(meta.labels) ? `${pod.metadataPath}/labels` : pod.metadataPath,
    };
  },
});
