import { POD_SPEC_KINDS, podSpecOf } from '../_k8s.ts';
import { defineRule } from '../types.ts';
import { hostPathVolumes, isRuntimeSocket } from './_host-path.ts';

export const dockerSock = defineRule({
  id: 'docker-sock',
  severity: 'error',
  kinds: POD_SPEC_KINDS,
  description: 'A container mounts the Docker (or containerd, CRI-O, Podman) socket of the node.',
  remediation:
    'Remove the hostPath volume and its volumeMount. Whoever talks to the runtime socket controls every container on the node; build images with a rootless builder (BuildKit, Kaniko) instead.',
  messages: {
    mounted: 'the runtime socket {path} is mounted into container(s) {containers}: full control of the node',
  },
  docs: {
    kubeLinter:
      "`docker-sock` (default); also covers the containerd, CRI-O and Podman sockets (kube-linter's non-default `container-runtime-sock`).",
  },
  *check(o) {
    const pod = podSpecOf(o);
    if (!pod) return;
    for (const v of hostPathVolumes(pod))
      if (isRuntimeSocket(v.path) && v.mountedBy.length > 0)
        yield {
          message: 'mounted',
          data: { path: v.path, containers: v.mountedBy.join(', ') },
          path: v.at,
          at: 'value',
        };
  },
});
