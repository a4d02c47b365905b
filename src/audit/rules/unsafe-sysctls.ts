import { compareMinor } from '../../verify/schema/removed-apis.ts';
import { arr, get, isObject, POD_SPEC_KINDS, podSpecOf, str } from '../_k8s.ts';
import { defineRule } from '../types.ts';

/** The sysctls Pod Security baseline allows, with the Kubernetes minor that added each. */
const SAFE_SYSCTLS: readonly (readonly [string, string])[] = [
  ['kernel.shm_rmid_forced', '1.0'],
  ['net.ipv4.ip_local_port_range', '1.0'],
  ['net.ipv4.tcp_syncookies', '1.0'],
  ['net.ipv4.ping_group_range', '1.0'],
  ['net.ipv4.ip_unprivileged_port_start', '1.0'],
  ['net.ipv4.ip_local_reserved_ports', '1.27'],
  ['net.ipv4.tcp_keepalive_time', '1.29'],
  ['net.ipv4.tcp_fin_timeout', '1.29'],
  ['net.ipv4.tcp_keepalive_intvl', '1.29'],
  ['net.ipv4.tcp_keepalive_probes', '1.29'],
  ['net.ipv4.tcp_rmem', '1.32'],
  ['net.ipv4.tcp_wmem', '1.32'],
];

export function isSafeSysctl(name: string, kubernetesVersion: string): boolean {
  return SAFE_SYSCTLS.some(([n, since]) => n === name && compareMinor(since, kubernetesVersion) <= 0);
}

export const unsafeSysctls = defineRule({
  id: 'unsafe-sysctls',
  severity: 'error',
  kinds: POD_SPEC_KINDS,
  description:
    'The pod sets a sysctl outside the safe set of its target Kubernetes version (`spec.securityContext.sysctls`).',
  remediation:
    'Remove the sysctl, or have a cluster admin allow it on dedicated nodes (kubelet `--allowed-unsafe-sysctls`) and schedule the pod there.',
  messages: {
    unsafe: 'the sysctl {name} is not safe on Kubernetes {version}: it can affect other pods or the node',
  },
  docs: {
    kubeLinter:
      '`unsafe-sysctls` (default). Deliberate difference: kube-linter flags names by prefix (`kernel.msg`, `kernel.sem`, `kernel.shm`, `fs.mqueue.`, `net.`), which includes sysctls Kubernetes itself declares safe (`net.ipv4.ip_local_port_range`, `kernel.shm_rmid_forced`); this rule uses the Kubernetes safe list of the target version instead, so it flags every sysctl kube-linter flags except those safe ones, and also unsafe ones outside its prefixes (`vm.*`, `kernel.*`).',
    podSecurity: 'Baseline › Sysctls, version-aware (1.27, 1.29 and 1.32 added safe sysctls).',
  },
  *check(o, ctx) {
    const pod = podSpecOf(o);
    if (!pod) return;
    for (const [i, s] of arr(get(pod.spec, 'securityContext', 'sysctls')).entries()) {
      const name = isObject(s) ? str(s.name) : undefined;
      if (name === undefined || isSafeSysctl(name, ctx.kubernetesVersion)) continue;
      yield {
        message: 'unsafe',
        data: { name, version: ctx.kubernetesVersion },
        path: `${pod.path}/securityContext/sysctls/${i}/name`,
        at: 'value',
      };
    }
  },
});
