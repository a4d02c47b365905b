import { compareMinor, findRemovedApi } from '../../verify/schema/removed-apis.ts';
import { ANY_KUBERNETES_KIND, defineRule } from '../types.ts';
import { replacementOf } from './removed-api.ts';

export const deprecatedApi = defineRule({
  id: 'deprecated-api',
  severity: 'warning',
  kinds: [ANY_KUBERNETES_KIND],
  description:
    'The object uses an API version the target Kubernetes version still serves but a later one removes.',
  remediation: 'Migrate to the replacement API version named in the message before upgrading the cluster.',
  messages: {
    deprecated: '{apiVersion} {kind} is deprecated and will be removed in Kubernetes {removedIn}: {instead}',
  },
  docs: {
    rationale: 'The manifest applies today and breaks on the next cluster upgrade.',
    references: ['https://kubernetes.io/docs/reference/using-api/deprecation-guide/'],
  },
  *check(o, ctx) {
    const r = findRemovedApi(o.apiVersion, o.kind);
    if (r !== undefined && compareMinor(r.removedIn, ctx.kubernetesVersion) > 0)
      yield {
        message: 'deprecated',
        data: { apiVersion: o.apiVersion, kind: o.kind, removedIn: r.removedIn, instead: replacementOf(o) },
        path: '/apiVersion',
        at: 'value',
      };
  },
});
