import { POD_SPEC_KINDS, podSpecOf } from '../_k8s.ts';
import { defineRule } from '../types.ts';
import { hostPathVolumes, isRuntimeSocket, isSensitiveHostPath } from './_host-path.ts';

export const hostPathVolume = defineRule({
  id: 'host-path-volume',
  severity: 'error',
  kinds: POD_SPEC_KINDS,
  description:
    'The pod has a hostPath volume (one not already reported by `docker-sock` or `sensitive-host-mounts`).',
  remediation:
    'Use a PersistentVolumeClaim, an emptyDir or a ConfigMap instead of a directory of the node; a namespace enforcing Pod Security baseline rejects hostPath volumes.',
  messages: {
    hostPath: 'volume "{volume}" mounts the node directory {path}',
  },
  docs: {
    podSecurity: 'Baseline › HostPath Volumes.',
    rationale:
      'Files of the node are shared with every pod scheduled there, survive the pod, and can expose the node itself.',
  },
  *check(o) {
    const pod = podSpecOf(o);
    if (!pod) return;
    for (const v of hostPathVolumes(pod)) {
      const reported = v.mountedBy.length > 0 && (isRuntimeSocket(v.path) || isSensitiveHostPath(v.path));
      if (!reported)
        yield { message: 'hostPath', data: { volume: v.name, path: v.path }, path: v.at, at: 'value' };
    }
  },
});
