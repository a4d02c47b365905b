import {
  get,
  isEmptySelector,
  isObject,
  mapSelectorMatches,
  podSpecOf,
  selectorMatches,
  stringMap,
} from '../_k8s.ts';
import { defineRule } from '../types.ts';

export const mismatchingSelector = defineRule({
  id: 'mismatching-selector',
  severity: 'error',
  kinds: ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Rollout'],
  description: "A controller's selector does not match the labels of its own pod template (or it has none).",
  remediation:
    'Make `spec.selector.matchLabels` a subset of `spec.template.metadata.labels` (the API server rejects a mismatch, and a controller without a selector cannot find its pods).',
  messages: {
    noSelector: 'the {kind} has no selector',
    mismatch: 'the selector does not match the pod template labels ({labels})',
  },
  docs: { kubeLinter: '`mismatching-selector` (default), same check.' },
  *check(o) {
    const pod = podSpecOf(o);
    if (!pod) return;
    const selector = get(o.value, 'spec', 'selector');
    const labels = Object.entries(pod.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    if (o.kind === 'ReplicationController') {
      // A ReplicationController without a selector defaults it to the template labels.
      if (selector === undefined) return;
      if (!mapSelectorMatches(stringMap(selector), pod.labels))
        yield { message: 'mismatch', data: { labels }, path: '/spec/selector' };
      return;
    }
    if (!isObject(selector) || isEmptySelector(selector)) {
      yield {
        message: 'noSelector',
        data: { kind: o.kind },
        path: selector === undefined ? '/spec' : '/spec/selector',
      };
      return;
    }
    if (!selectorMatches(selector, pod.labels))
      yield { message: 'mismatch', data: { labels }, path: '/spec/selector' };
  },
});
