import { compareMinor } from '../../verify/schema/removed-apis.ts';
import { containersOf, get, POD_SPEC_KINDS, podSpecOf, stringMap } from '../_k8s.ts';
import { seg } from '../_yaml.ts';
import { defineRule } from '../types.ts';

const PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

export const pssBaselineApparmor = defineRule({
  id: 'pss-baseline-apparmor',
  severity: 'error',
  kinds: POD_SPEC_KINDS,
  description:
    'The pod or a container turns AppArmor off: `appArmorProfile.type: Unconfined`, or an AppArmor annotation other than `runtime/default` or `localhost/*`.',
  remediation:
    'Remove the override (the runtime default profile applies) or use `appArmorProfile: { type: RuntimeDefault }` / a Localhost profile.',
  messages: {
    field: '{where} sets appArmorProfile.type: Unconfined',
    annotation: 'the annotation {annotation} is "{value}": only runtime/default and localhost/* are allowed',
  },
  docs: { podSecurity: 'Baseline › AppArmor (the `appArmorProfile` field is checked from Kubernetes 1.30).' },
  *check(o, ctx) {
    const pod = podSpecOf(o);
    if (!pod) return;
    const annotations = stringMap(get(o.value, ...pod.metadataPath.slice(1).split('/'), 'annotations'));
    for (const [k, v] of Object.entries(annotations))
      if (k.startsWith(PREFIX) && v !== 'runtime/default' && !v.startsWith('localhost/'))
        yield {
          message: 'annotation',
          data: { annotation: k, value: v },
          path: `${pod.metadataPath}/annotations/${seg(k)}`,
          at: 'value',
        };
    if (compareMinor(ctx.kubernetesVersion, '1.30') < 0) return;
    if (get(pod.spec, 'securityContext', 'appArmorProfile', 'type') === 'Unconfined')
      yield {
        message: 'field',
        data: { where: 'the pod' },
        path: `${pod.path}/securityContext/appArmorProfile/type`,
        at: 'value',
      };
    for (const c of containersOf(pod, true))
      if (get(c.c, 'securityContext', 'appArmorProfile', 'type') === 'Unconfined')
        yield {
          message: 'field',
          data: { where: `container "${c.name}"` },
          path: `${c.path}/securityContext/appArmorProfile/type`,
          at: 'value',
        };
  },
});
