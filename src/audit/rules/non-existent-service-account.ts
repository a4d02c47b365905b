import { POD_SPEC_KINDS, podSpecOf, str } from '../_k8s.ts';
import { defineRule } from '../types.ts';

export const nonExistentServiceAccount = defineRule({
  id: 'non-existent-service-account',
  severity: 'warning',
  kinds: POD_SPEC_KINDS,
  description:
    'The pod runs as a ServiceAccount that none of the audited manifests define (in its namespace).',
  remediation:
    'Add the ServiceAccount to the manifests, or fix the name; pods referring to a missing ServiceAccount are not created.',
  messages: {
    missing: 'the ServiceAccount "{name}" is not defined in {namespace}',
  },
  docs: {
    kubeLinter:
      '`non-existent-service-account` (default), same check (the `default` ServiceAccount always exists). It reads only the manifests audited together: audit a whole release at once.',
  },
  *check(o, ctx) {
    const pod = podSpecOf(o);
    if (!pod) return;
    const field = str(pod.spec.serviceAccountName) ? 'serviceAccountName' : 'serviceAccount';
    const name = str(pod.spec[field]);
    if (name === undefined || name === '' || name === 'default') return;
    const found = ctx
      .inNamespace('ServiceAccount', o.namespace)
      .some((sa) => sa.name === name && sa.apiVersion === 'v1');
    if (!found)
      yield {
        message: 'missing',
        data: { name, namespace: o.namespace === '' ? 'the manifests' : `namespace ${o.namespace}` },
        path: `${pod.path}/${field}`,
        at: 'value',
      };
  },
});
