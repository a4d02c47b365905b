import { containersOf, get, POD_SPEC_KINDS, podSpecOf, securityContextPath } from '../_k8s.ts';
import { defineRule } from '../types.ts';

export const noReadOnlyRootFs = defineRule({
  id: 'no-read-only-root-fs',
  severity: 'warning',
  kinds: POD_SPEC_KINDS,
  description: 'A container runs without a read-only root filesystem.',
  remediation:
    'Set `securityContext.readOnlyRootFilesystem: true` and mount an emptyDir where the app must write (e.g. /tmp).',
  messages: {
    writable: 'container "{container}" does not have a read-only root filesystem',
  },
  docs: {
    kubeLinter: '`no-read-only-root-fs` (default), app containers only, as kube-linter.',
    rationale:
      'A writable root filesystem lets an attacker drop binaries and persist changes inside the container.',
  },
  *check(o) {
    const pod = podSpecOf(o);
    if (!pod) return;
    for (const c of containersOf(pod)) {
      const v = get(c.c, 'securityContext', 'readOnlyRootFilesystem');
      if (v === true) continue;
      yield v === undefined
        ? { message: 'writable', data: { container: c.name }, path: securityContextPath(c) }
        : {
            message: 'writable',
            data: { container: c.name },
            path: `${c.path}/securityContext/readOnlyRootFilesystem`,
            at: 'value',
          };
    }
  },
});
