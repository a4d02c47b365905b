import { containersOf, isObject, LONG_RUNNING_KINDS, podSpecOf } from '../_k8s.ts';
import { defineRule } from '../types.ts';

export const noReadinessProbe = defineRule({
  id: 'no-readiness-probe',
  severity: 'warning',
  kinds: LONG_RUNNING_KINDS,
  description: 'A long-running container has no readiness probe.',
  remediation:
    'Add a `readinessProbe` that succeeds only when the container can serve, so Services send it traffic only then (and rollouts wait for it).',
  messages: {
    missing: 'container "{container}" has no readiness probe',
  },
  docs: {
    kubeLinter:
      '`no-readiness-probe` (not enabled by default in kube-linter); Jobs and CronJobs are not checked.',
  },
  *check(o) {
    const pod = podSpecOf(o);
    if (!pod) return;
    for (const c of containersOf(pod))
      if (!isObject(c.c.readinessProbe))
        yield { message: 'missing', data: { container: c.name }, path: `${c.path}/name` };
  },
});
