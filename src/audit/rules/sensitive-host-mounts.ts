import { POD_SPEC_KINDS, podSpecOf } from '../_k8s.ts';
import { defineRule } from '../types.ts';
import { hostPathVolumes, isSensitiveHostPath } from './_host-path.ts';

export const sensitiveHostMounts = defineRule({
  id: 'sensitive-host-mounts',
  severity: 'error',
  kinds: POD_SPEC_KINDS,
  description:
    'A container mounts a sensitive host directory: `/`, `/boot`, `/dev`, `/etc`, `/lib`, `/proc`, `/sys` or `/usr`.',
  remediation:
    'Remove the hostPath volume and its volumeMount; mount a ConfigMap, Secret or PersistentVolumeClaim instead.',
  messages: {
    mounted: 'the host directory {path} is mounted into container(s) {containers}',
  },
  docs: {
    kubeLinter: '`sensitive-host-mounts` (default), same directory list.',
    podSecurity: 'Baseline › HostPath Volumes forbids every hostPath; see `host-path-volume`.',
  },
  *check(o) {
    const pod = podSpecOf(o);
    if (!pod) return;
    for (const v of hostPathVolumes(pod))
      if (isSensitiveHostPath(v.path) && v.mountedBy.length > 0)
        yield {
          message: 'mounted',
          data: { path: v.path, containers: v.mountedBy.join(', ') },
          path: v.at,
          at: 'value',
        };
  },
});
