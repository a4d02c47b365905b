/** Capability lists of a container, with the pointer of each entry. */
import { arr, type ContainerAt, get, str } from '../_k8s.ts';

export interface CapabilityEntry {
  name: string;
  at: string;
}

export function capabilities(c: ContainerAt, list: 'add' | 'drop'): CapabilityEntry[] {
  const base = `${c.path}/securityContext/capabilities/${list}`;
  return arr(get(c.c, 'securityContext', 'capabilities', list)).flatMap((v, i) => {
    const name = str(v);
    return name === undefined ? [] : [{ name, at: `${base}/${i}` }];
  });
}

/** Where a missing drop entry is reported: the drop list, else capabilities, else securityContext, else the container. */
export function dropListPath(c: ContainerAt): string {
  const caps = get(c.c, 'securityContext', 'capabilities');
  if (caps !== undefined && caps !== null) {
    return get(caps, 'drop') !== undefined
      ? `${c.path}/securityContext/capabilities/drop`
      : `${c.path}/securityContext/capabilities`;
  }
  return get(c.c, 'securityContext') !== undefined ? `${c.path}/securityContext` : `${c.path}/name`;
}

/** Capabilities Pod Security baseline allows a container to add (the container runtime's defaults). */
export const BASELINE_CAPABILITIES: ReadonlySet<string> = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);
