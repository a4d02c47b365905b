/** Label selectors evaluated client-side, so one list of a namespace's Pods serves every workload in it. */
import type { V1LabelSelector } from '@kubernetes/client-node';

/** Whether `labels` satisfy `selector` (matchLabels and matchExpressions; pure). An empty selector matches nothing. */
export function selects(
  selector: V1LabelSelector | undefined,
  labels: Readonly<Record<string, string>> = {},
): boolean {
  if (!selector) return false;
  const ml = Object.entries(selector.matchLabels ?? {});
  const me = selector.matchExpressions ?? [];
  if (ml.length === 0 && me.length === 0) return false;
  if (!ml.every(([k, v]) => labels[k] === v)) return false;
  return me.every((e) => {
    const has = Object.hasOwn(labels, e.key);
    const v = labels[e.key];
    switch (e.operator) {
      case 'In':
        return has && (e.values ?? []).includes(v as string);
      case 'NotIn':
        return !has || !(e.values ?? []).includes(v as string);
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
      default:
        return false;
    }
  });
}
