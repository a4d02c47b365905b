import { POD_SPEC_KINDS, podSpecOf } from '../_k8s.ts';
import { defineRule } from '../types.ts';

export const deprecatedServiceAccountField = defineRule({
  id: 'deprecated-service-account-field',
  severity: 'warning',
  kinds: POD_SPEC_KINDS,
  description: 'The pod uses the deprecated `serviceAccount` field.',
  remediation: 'Use `serviceAccountName` instead (if both are set, they must match).',
  messages: {
    deprecated: 'serviceAccount ("{name}") is deprecated: use serviceAccountName',
  },
  docs: { kubeLinter: '`deprecated-service-account-field` (default), same check.' },
  *check(o) {
    const pod = podSpecOf(o);
    const sa = pod?.spec.serviceAccount;
    if (pod && typeof sa === 'string' && sa !== '')
      yield { message: 'deprecated', data: { name: sa }, path: `${pod.path}/serviceAccount` };
  },
});
