import { arr, containersOf, isObject, POD_SPEC_KINDS, podSpecOf, str } from '../_k8s.ts';
import { defineRule } from '../types.ts';

export const duplicateEnvVar = defineRule({
  id: 'duplicate-env-var',
  severity: 'warning',
  kinds: POD_SPEC_KINDS,
  description: 'A container sets the same environment variable twice.',
  remediation:
    'Keep one entry per name: the last one silently wins, and server-side apply rejects duplicate list keys.',
  messages: {
    duplicate: 'container "{container}" sets {env} more than once',
  },
  docs: { kubeLinter: '`duplicate-env-var` (default); reported at the second occurrence.' },
  *check(o) {
    const pod = podSpecOf(o);
    if (!pod) return;
    for (const c of containersOf(pod)) {
      const seen = new Map<string, number>();
      for (const [i, e] of arr(c.c.env).entries()) {
        const name = isObject(e) ? str(e.name) : undefined;
        if (name === undefined) continue;
        const n = (seen.get(name) ?? 0) + 1;
        seen.set(name, n);
        if (n === 2)
          yield {
            message: 'duplicate',
            data: { container: c.name, env: name },
            path: `${c.path}/env/${i}/name`,
            at: 'value',
          };
      }
    }
  },
});
