import { containersOf, get, POD_SPEC_KINDS, podSpecOf } from '../_k8s.ts';
import { defineRule } from '../types.ts';

export const unsafeProcMount = defineRule({
  id: 'unsafe-proc-mount',
  severity: 'error',
  kinds: POD_SPEC_KINDS,
  description: 'A container unmasks /proc (`securityContext.procMount` other than Default).',
  remediation: 'Remove `procMount` or set it to `Default`.',
  messages: {
    unmasked: 'container "{container}" sets procMount: {value}, bypassing the runtime\'s /proc masking',
  },
  docs: {
    kubeLinter: '`unsafe-proc-mount` (not enabled by default in kube-linter).',
    podSecurity: 'Baseline › /proc Mount Type.',
  },
  *check(o) {
    const pod = podSpecOf(o);
    if (!pod) return;
    for (const c of containersOf(pod, true)) {
      const v = get(c.c, 'securityContext', 'procMount');
      if (v !== undefined && v !== null && v !== 'Default')
        yield {
          message: 'unmasked',
          data: { container: c.name, value: String(v) },
          path: `${c.path}/securityContext/procMount`,
          at: 'value',
        };
    }
  },
});
