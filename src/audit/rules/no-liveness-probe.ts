import { containersOf, isObject, LONG_RUNNING_KINDS, podSpecOf } from '../_k8s.ts';
import { defineRule } from '../types.ts';

export const noLivenessProbe = defineRule({
  id: 'no-liveness-probe',
  severity: 'warning',
  kinds: LONG_RUNNING_KINDS,
  description: 'A long-running container has no liveness probe.',
  remediation:
    'Add a `livenessProbe` that answers only "is the process alive?" (not its dependencies), so Kubernetes restarts a hung container.',
  messages: {
    missing: 'container "{container}" has no liveness probe',
  },
  docs: {
    kubeLinter:
      '`no-liveness-probe` (not enabled by default in kube-linter); Jobs and CronJobs are not checked.',
  },
  *check(o) {
    const pod = podSpecOf(o);
    if (!pod) return;
    for (const c of containersOf(pod))
      if (!isObject(c.c.livenessProbe))
        yield { message: 'missing', data: { container: c.name }, path: `${c.path}/name` };
  },
});
