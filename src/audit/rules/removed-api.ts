import { compareMinor, findRemovedApi } from '../../verify/schema/removed-apis.ts';
import { ANY_KUBERNETES_KIND, type AuditObject, defineRule } from '../types.ts';

/** What replaces a removed or deprecated API, in words. */
export function replacementOf(o: AuditObject): string {
  const r = findRemovedApi(o.apiVersion, o.kind);
  if (r === undefined) return 'use the current API version of the kind';
  if (r.replacement !== null) return `use ${r.replacement} ${o.kind}${r.note ? ` (${r.note})` : ''}`;
  return r.note ?? 'it has no replacement';
}

export const removedApi = defineRule({
  id: 'removed-api',
  severity: 'error',
  kinds: [ANY_KUBERNETES_KIND],
  description:
    'The object uses an API version the target Kubernetes version no longer serves (e.g. `policy/v1beta1` PodSecurityPolicy, `extensions/v1beta1` Ingress).',
  remediation:
    'Migrate to the replacement API version named in the message (the Kubernetes deprecation guide lists field changes); `kubectl convert` helps for most kinds.',
  messages: {
    removed:
      '{apiVersion} {kind} was removed in Kubernetes {removedIn} and is not served by {version}: {instead}',
  },
  docs: {
    kubeLinter:
      'Covers `no-extensions-v1beta` (default): every `extensions/v1beta*` object is reported here, with its replacement, and so is every other removed API (version-aware: `--kubernetes-version`).',
    references: ['https://kubernetes.io/docs/reference/using-api/deprecation-guide/'],
  },
  *check(o, ctx) {
    const r = findRemovedApi(o.apiVersion, o.kind);
    if (r !== undefined) {
      if (compareMinor(r.removedIn, ctx.kubernetesVersion) <= 0)
        yield {
          message: 'removed',
          data: {
            apiVersion: o.apiVersion,
            kind: o.kind,
            removedIn: r.removedIn,
            version: ctx.kubernetesVersion,
            instead: replacementOf(o),
          },
          path: '/apiVersion',
          at: 'value',
        };
      return;
    }
    // The whole extensions/v1beta1 group was gone by 1.22, whatever the kind.
    if (/^extensions\/v1beta/.test(o.apiVersion) && compareMinor('1.22', ctx.kubernetesVersion) <= 0)
      yield {
        message: 'removed',
        data: {
          apiVersion: o.apiVersion,
          kind: o.kind,
          removedIn: '1.22',
          version: ctx.kubernetesVersion,
          instead: "use the kind's current API group (apps/v1, networking.k8s.io/v1, policy/v1)",
        },
        path: '/apiVersion',
        at: 'value',
      };
  },
});
