import { get } from '../_k8s.ts';
import { defineRule } from '../types.ts';
import { intOrPercent } from './_pdb.ts';

export const pdbMaxUnavailable = defineRule({
  id: 'pdb-max-unavailable',
  severity: 'warning',
  kinds: ['PodDisruptionBudget'],
  description:
    "A PodDisruptionBudget's `maxUnavailable` is 0 (or 0%): no pod may ever be evicted, so node drains hang.",
  remediation: 'Set `maxUnavailable` to at least 1.',
  messages: {
    zero: 'maxUnavailable is {value}: no pod can ever be evicted',
  },
  docs: {
    kubeLinter:
      '`pdb-max-unavailable` (default). Difference: kube-linter reads the integer value of the field, so it also flags any percentage (`"25%"`); this rule flags only 0 and 0%.',
  },
  *check(o) {
    const raw = get(o.value, 'spec', 'maxUnavailable');
    const v = intOrPercent(raw);
    if (v !== undefined && v.value === 0)
      yield { message: 'zero', data: { value: String(raw) }, path: '/spec/maxUnavailable', at: 'value' };
  },
});
