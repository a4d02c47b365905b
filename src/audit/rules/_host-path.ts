/** hostPath volumes of a pod and the containers that mount them (shared by the host-mount rules). */
import { arr, containersOf, get, isObject, type PodSpecAt, str } from '../_k8s.ts';

export interface HostPathVolume {
  name: string;
  path: string;
  /** Pointer of `hostPath.path`. */
  at: string;
  /** Containers (all kinds) that mount it. */
  mountedBy: string[];
}

export function hostPathVolumes(pod: PodSpecAt): HostPathVolume[] {
  const out: HostPathVolume[] = [];
  const containers = containersOf(pod, true);
  arr(pod.spec.volumes).forEach((v, i) => {
    if (!isObject(v) || !isObject(v.hostPath)) return;
    const name = str(v.name) ?? '';
    out.push({
      name,
      path: str(v.hostPath.path) ?? '',
      at: `${pod.path}/volumes/${i}/hostPath/path`,
      mountedBy: containers
        .filter((c) => arr(c.c.volumeMounts).some((m) => get(m, 'name') === name))
        .map((c) => c.name),
    });
  });
  return out;
}

/** Container runtime sockets: Docker, containerd, CRI-O, Podman. */
export function isRuntimeSocket(path: string): boolean {
  return /(docker|containerd|crio|podman)\.sock$/.test(path);
}

/** The host directories kube-linter's sensitive-host-mounts names, matched exactly. */
const SENSITIVE = new Set(['/', '/boot', '/dev', '/etc', '/lib', '/proc', '/sys', '/usr']);

export function isSensitiveHostPath(path: string): boolean {
  const p = path.length > 1 ? path.replace(/\/+$/, '') : path;
  return SENSITIVE.has(p);
}
