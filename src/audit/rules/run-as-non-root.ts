import { containersOf, effective, POD_SPEC_KINDS, podSpecOf, securityAnchor } from '../_k8s.ts';
import { defineRule } from '../types.ts';

const nonZero = (v: unknown) => typeof v === 'number' && v > 0;

export const runAsNonRoot = defineRule({
  id: 'run-as-non-root',
  severity: 'warning',
  kinds: POD_SPEC_KINDS,
  description:
    'A container may run as root: it is not set to `runAsNonRoot` with a non-zero `runAsUser`, or its group is root or unset.',
  remediation:
    'Set `runAsNonRoot: true`, `runAsUser` and `runAsGroup` to non-zero ids in the pod or container securityContext (and build the image with a non-root USER).',
  messages: {
    notNonRoot: 'container "{container}" is not set to runAsNonRoot',
    rootUser: 'container "{container}" is set to runAsNonRoot but runAsUser is 0: it will fail to start',
    rootGroup: 'container "{container}" has runAsGroup set to 0 (root group)',
    noGroup: 'container "{container}" does not have runAsGroup set',
  },
  docs: {
    kubeLinter:
      '`run-as-non-root` (default), the same logic: a container passes when its effective runAsUser and runAsGroup are both non-zero; otherwise the group is checked and runAsNonRoot is required.',
    podSecurity:
      'Restricted › Running as Non-root and Running as Non-root user (this rule is stricter: it also asks for a non-root group).',
  },
  *check(o) {
    const pod = podSpecOf(o);
    if (!pod) return;
    for (const c of containersOf(pod, true)) {
      if (c.type === 'ephemeralContainers') continue;
      const user = effective(pod, c, 'runAsUser');
      const group = effective(pod, c, 'runAsGroup');
      if (nonZero(user.value) && nonZero(group.value)) continue;
      const data = { container: c.name };
      if (group.value === 0) yield { message: 'rootGroup', data, path: group.path, at: 'value' };
      if (group.value === undefined) yield { message: 'noGroup', data, path: securityAnchor(pod, c) };
      const nonRoot = effective(pod, c, 'runAsNonRoot');
      if (nonRoot.value === true) {
        if (user.value === 0) yield { message: 'rootUser', data, path: user.path, at: 'value' };
        continue;
      }
      yield {
        message: 'notNonRoot',
        data,
        path: nonRoot.value === undefined ? securityAnchor(pod, c) : nonRoot.path,
        ...(nonRoot.value === undefined ? {} : { at: 'value' as const }),
      };
    }
  },
});
