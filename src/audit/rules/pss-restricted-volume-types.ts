import { arr, isObject, POD_SPEC_KINDS, podSpecOf } from '../_k8s.ts';
import { defineRule } from '../types.ts';

const ALLOWED = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

export const pssRestrictedVolumeTypes = defineRule({
  id: 'pss-restricted-volume-types',
  severity: 'warning',
  kinds: POD_SPEC_KINDS,
  description:
    'The pod uses a volume type restricted Pod Security does not allow (nfs, gitRepo, cloud disks…); hostPath is reported by `host-path-volume`.',
  remediation:
    'Use a PersistentVolumeClaim (backed by the storage you need), or a configMap, secret, emptyDir, projected, downwardAPI, csi or ephemeral volume.',
  messages: {
    restricted: 'volume "{volume}" is of type {type}',
  },
  docs: { podSecurity: 'Restricted › Volume Types.' },
  *check(o) {
    const pod = podSpecOf(o);
    if (!pod) return;
    for (const [i, v] of arr(pod.spec.volumes).entries()) {
      if (!isObject(v)) continue;
      const type = Object.keys(v).find((k) => k !== 'name');
      if (type === undefined || ALLOWED.has(type) || type === 'hostPath') continue;
      yield {
        message: 'restricted',
        data: { volume: String(v.name ?? i), type },
        path: `${pod.path}/volumes/${i}/${type}`,
      };
    }
  },
});
