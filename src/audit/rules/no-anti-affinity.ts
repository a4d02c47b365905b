import { arr, get, isObject, podSpecOf, REPLICATED_KINDS, replicasOf, selectorMatches } from '../_k8s.ts';
import { defineRule } from '../types.ts';

const HOSTNAME = 'kubernetes.io/hostname';

export const noAntiAffinity = defineRule({
  id: 'no-anti-affinity',
  severity: 'warning',
  kinds: REPLICATED_KINDS,
  description:
    'A workload with several replicas does not ask to spread them across nodes (no pod anti-affinity or topology spread on kubernetes.io/hostname matching its pods).',
  remediation:
    'Add `topologySpreadConstraints` (topologyKey `kubernetes.io/hostname`, labelSelector matching the pods) or a `podAntiAffinity` term, so one node failure does not take every replica down.',
  messages: {
    missing: 'the {kind} has {replicas} replicas but nothing spreads them across nodes',
  },
  docs: {
    kubeLinter:
      '`no-anti-affinity` (default, minReplicas 2). Deliberate difference: a `topologySpreadConstraints` entry on `kubernetes.io/hostname` whose selector matches the pods also satisfies the rule (the spreading mechanism Kubernetes now recommends, which Slipway renders).',
  },
  *check(o) {
    const replicas = replicasOf(o);
    const pod = podSpecOf(o);
    if (replicas === undefined || replicas < 2 || !pod) return;
    const anti = get(pod.spec, 'affinity', 'podAntiAffinity');
    const terms = [
      ...arr(get(anti, 'requiredDuringSchedulingIgnoredDuringExecution')),
      ...arr(get(anti, 'preferredDuringSchedulingIgnoredDuringExecution')).map((p) =>
        get(p, 'podAffinityTerm'),
      ),
    ];
    const spreads = arr(pod.spec.topologySpreadConstraints);
    const ok = [...terms, ...spreads].some(
      (t) => isObject(t) && t.topologyKey === HOSTNAME && selectorMatches(t.labelSelector, pod.labels),
    );
    if (ok) return;
    const path = isObject(pod.spec.affinity)
      ? `${pod.path}/affinity`
      : get(o.value, 'spec', 'replicas') !== undefined
        ? '/spec/replicas'
        : pod.path;
    yield { message: 'missing', data: { kind: o.kind, replicas }, path };
  },
});
