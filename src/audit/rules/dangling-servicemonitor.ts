import { arr, get, isObject, labelsOf, selectorMatches, str } from '../_k8s.ts';
import { defineRule } from '../types.ts';

export const danglingServicemonitor = defineRule({
  id: 'dangling-servicemonitor',
  severity: 'warning',
  kinds: ['ServiceMonitor'],
  description:
    "A Prometheus Operator ServiceMonitor's `selector` matches no Service of the audited manifests in the namespaces it watches.",
  remediation:
    "Make `spec.selector` match the labels (`metadata.labels`) of the Service to scrape, and `spec.namespaceSelector` name that Service's namespace when it is not the ServiceMonitor's own.",
  messages: {
    noMatch: 'no Service in {namespaces} has labels this selector matches: nothing is scraped',
  },
  docs: {
    rationale:
      'A ServiceMonitor matches Services by their own labels, not their selectors; when none match, Prometheus scrapes nothing and the dashboards and alerts built on it stay empty without any error.',
    kubeLinter:
      "`dangling-servicemonitor` (not enabled by default in kube-linter), same check, reading `namespaceSelector` (`any`, `matchNames`; the ServiceMonitor's own namespace when absent). It reads only the manifests audited together: a Service without a namespace may be in any.",
  },
  *check(o, ctx) {
    if (!o.apiVersion.startsWith('monitoring.coreos.com/')) return;
    const selector = get(o.value, 'spec', 'selector');
    if (!isObject(selector)) return;
    const nsSelector = get(o.value, 'spec', 'namespaceSelector');
    const any = get(nsSelector, 'any') === true;
    const names = arr(get(nsSelector, 'matchNames')).flatMap((n) => str(n) ?? []);
    const watched = names.length > 0 ? names : [o.namespace];
    // A Service without a namespace may be in any of the watched ones.
    const candidates = any
      ? ctx.byKind('Service')
      : [...watched, ...(names.length > 0 ? [''] : [])].flatMap((n) => ctx.inNamespace('Service', n));
    const found = candidates.some((s) => selectorMatches(selector, labelsOf(s)));
    if (found) return;
    const namespaces = any
      ? 'any namespace'
      : watched.map((n) => (n === '' ? 'the manifests' : `namespace ${n}`)).join(', ');
    yield { message: 'noMatch', data: { namespaces }, path: '/spec/selector' };
  },
});
