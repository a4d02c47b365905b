import { get, str } from '../_k8s.ts';
import { defineRule } from '../types.ts';

export const danglingScaleTarget = defineRule({
  id: 'dangling-scale-target',
  severity: 'warning',
  kinds: ['HorizontalPodAutoscaler', 'ScaledObject', 'VerticalPodAutoscaler'],
  description:
    'A HorizontalPodAutoscaler, KEDA ScaledObject or VerticalPodAutoscaler targets a workload that none of the audited manifests define.',
  remediation:
    'Fix `scaleTargetRef` (`targetRef` for a VPA): its kind and name must be those of a workload in the same namespace.',
  messages: {
    missing: 'the target {kind}/{name} is not defined in {namespace}',
  },
  docs: {
    kubeLinter:
      '`dangling-horizontalpodautoscaler` (not enabled by default in kube-linter), extended to KEDA ScaledObjects and VPAs. It reads only the manifests audited together.',
  },
  *check(o, ctx) {
    const field = o.kind === 'VerticalPodAutoscaler' ? 'targetRef' : 'scaleTargetRef';
    const ref = get(o.value, 'spec', field);
    const name = str(get(ref, 'name'));
    // KEDA defaults the kind to Deployment.
    const kind = str(get(ref, 'kind')) ?? (o.kind === 'ScaledObject' ? 'Deployment' : undefined);
    if (name === undefined || kind === undefined) return;
    if (ctx.named(kind, o.namespace, name) !== undefined) return;
    yield {
      message: 'missing',
      data: { kind, name, namespace: o.namespace === '' ? 'the manifests' : `namespace ${o.namespace}` },
      path: `/spec/${field}/name`,
      at: 'value',
    };
  },
});
